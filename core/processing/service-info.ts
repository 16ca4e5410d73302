// Loads a service the way a processing module sees it (ServiceInfo): package internal name, params, add-ons.
import type { Knex } from 'knex';
import type { ServiceInfo } from './types.ts';
import { parseJson } from './operations.ts';

type Q = Knex | Knex.Transaction;

interface ServiceJoinRow {
  id: number;
  client_id: number;
  item_type: string;
  label: string;
  status: string;
  period_kind: string;
  period_length: number;
  expires_on: string | null;
  external_id: string | null;
  params: string;
  package_internal_name: string;
}

export async function loadServiceInfo(q: Q, serviceId: number): Promise<ServiceInfo | undefined> {
  const row = (await q('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .where('s.id', serviceId)
    .first('s.id', 's.client_id', 's.item_type', 's.label', 's.status', 's.period_kind', 's.period_length', 's.expires_on', 's.external_id', 's.params', 'p.internal_name as package_internal_name')) as ServiceJoinRow | undefined;
  if (!row) return undefined;
  const addons = (await q('core_service_addons as sa')
    .join('core_addons as a', 'a.id', 'sa.addon_id')
    .where('sa.service_id', serviceId)
    .select('a.internal_name', 'sa.value')) as { internal_name: string; value: string }[];
  return {
    id: Number(row.id),
    clientId: Number(row.client_id),
    packageInternalName: row.package_internal_name,
    itemType: row.item_type,
    label: row.label,
    status: row.status,
    periodKind: row.period_kind,
    periodLength: Number(row.period_length),
    expiresOn: row.expires_on,
    externalId: row.external_id,
    params: parseJson(row.params),
    addons: Object.fromEntries(addons.map((a) => [a.internal_name, a.value])),
  };
}
