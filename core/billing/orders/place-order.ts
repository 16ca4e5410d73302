// Ordering: a pending service and its first invoice, created together; paying the invoice opens it.
import type { Knex } from 'knex';
import { getOffer, priceAddons } from '../catalog/offer.ts';
import { insertedId } from '../invoices/store.ts';
import { createInvoice } from '../invoices/create.ts';
import { taxRateForClient } from '../invoices/tax.ts';
import { addDays, describePeriod } from '../services/periods.ts';
import type { Actor } from '../services/transition.ts';
import type { BillingSettings } from '../settings.ts';

export class OrderError extends Error {
  constructor(readonly errors: Record<string, string>) {
    super(Object.values(errors).join('; '));
    this.name = 'OrderError';
  }
}

export interface OrderInput {
  clientId: number;
  packageId: number;
  periodId: number;
  /** Add-on choices by internal name. */
  addons?: Record<string, string | undefined>;
  /** What the client calls the service: a domain name, a hostname. */
  label?: string;
  params?: Record<string, unknown>;
  parentId?: number | null;
  /** Staff may give a discount on the first invoice, in minor units. */
  discount?: number;
  actor: Actor;
}

export interface OrderDeps {
  settings: BillingSettings;
  taxInclusive: boolean;
  at: string;
  /** Picks the processing server for a new service (null: none yet; its operations wait for staff). */
  chooseServer: (trx: Knex.Transaction, input: { itemType: string; packageId: number }) => Promise<number | null>;
}

export interface PlacedOrder {
  serviceId: number;
  invoiceId: number;
  invoiceNumber: string;
  total: number;
}

/**
 * Validates the order against the catalog and the client, then writes the service (pending), its
 * add-ons, its history and its first invoice in the caller's transaction. Errors are keyed by the
 * form field they belong to ('periodId', 'addon.<internal name>', 'label', 'clientId').
 */
export async function placeOrder(trx: Knex.Transaction, input: OrderInput, deps: OrderDeps): Promise<PlacedOrder> {
  const client = (await trx('core_clients').where({ id: input.clientId }).first('id', 'currency', 'status')) as { id: number; currency: string; status: string } | undefined;
  if (!client) throw new OrderError({ clientId: 'There is no such client' });
  if (client.status !== 'active') throw new OrderError({ clientId: `The client is ${client.status}; reactivate it before ordering` });
  const offer = await getOffer(trx, { packageId: input.packageId, periodId: input.periodId, currency: client.currency });
  if (!offer) throw new OrderError({ periodId: `This package cannot be ordered for that period in ${client.currency}` });
  const priced = priceAddons(offer, input.addons ?? {});
  if (!priced.ok) throw new OrderError(Object.fromEntries(Object.entries(priced.errors).map(([k, v]) => [`addon.${k}`, v])));
  const label = (input.label ?? '').trim();
  if (label.length > 255) throw new OrderError({ label: 'Use at most 255 characters' });
  if (input.discount !== undefined && (!Number.isSafeInteger(input.discount) || input.discount < 0)) throw new OrderError({ discount: 'A discount must be zero or more' });
  if (input.parentId) {
    const parent = await trx('core_services').where({ id: input.parentId, client_id: client.id }).first('id');
    if (!parent) throw new OrderError({ parentId: 'The parent service does not belong to this client' });
  }

  const serverId = await deps.chooseServer(trx, { itemType: offer.package.itemType, packageId: offer.package.id });
  const today = deps.at.slice(0, 10);
  const recurring = offer.price + priced.total;
  const [row] = await trx('core_services')
    .insert({
      client_id: client.id, package_id: offer.package.id, item_type: offer.package.itemType, label, status: 'pending', period_id: offer.period.id,
      period_kind: offer.period.kind, period_length: offer.period.length, currency: offer.currency, price: recurring, auto_renew: true, expires_on: null,
      params: JSON.stringify(input.params ?? {}), parent_id: input.parentId ?? null, processing_server_id: serverId, external_id: null, suspend_reason: null,
      cancel_requested: false, created_at: deps.at, activated_at: null, updated_at: deps.at,
    })
    .returning('id');
  const serviceId = insertedId(row);
  for (const line of priced.lines) {
    await trx('core_service_addons').insert({ service_id: serviceId, addon_id: line.addonId, value: line.value, price: line.price });
  }
  await trx('core_service_history').insert({
    service_id: serviceId, at: deps.at, from_status: null, to_status: 'pending', actor_type: input.actor.type, actor_id: input.actor.id ?? null, actor_label: input.actor.label ?? '', reason: 'Ordered',
  });

  const name = `${offer.package.name}${label ? ` (${label})` : ''}`;
  const period = describePeriod(offer.period.kind, offer.period.length);
  const lines = [
    { serviceId, kind: 'service' as const, description: `${name}, ${period}`, unitPrice: offer.price },
    ...(offer.setupFee > 0 ? [{ serviceId, kind: 'setup' as const, description: `Setup of ${name}`, unitPrice: offer.setupFee }] : []),
    ...priced.lines.filter((l) => l.price !== 0).map((l) => ({ serviceId, kind: 'addon' as const, description: l.description, unitPrice: l.price })),
  ];
  const tax = await taxRateForClient(trx, client.id);
  const invoice = await createInvoice(trx, {
    clientId: client.id, kind: 'order', currency: offer.currency, enteredOn: today, dueOn: addDays(today, deps.settings.paymentTermsDays), lines,
    discount: input.discount ?? 0, taxRateBp: tax.rateBp, taxInclusive: deps.taxInclusive, numberPrefix: deps.settings.invoicePrefix, at: deps.at,
  });
  return { serviceId, invoiceId: invoice.id, invoiceNumber: invoice.number, total: invoice.total };
}
