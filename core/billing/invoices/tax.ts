// Which tax rate applies to a client: none when exempt; else the rate for its country and region.
import type { Knex } from 'knex';

export async function taxRateForClient(db: Knex | Knex.Transaction, clientId: number): Promise<{ rateBp: number; name: string }> {
  const client = (await db('core_clients').where({ id: clientId }).first('country', 'tax_exempt')) as { country: string; tax_exempt: boolean | number } | undefined;
  if (!client || client.tax_exempt === true || client.tax_exempt === 1) return { rateBp: 0, name: '' };
  const primary = (await db('core_contacts').where({ client_id: clientId, is_primary: true }).first('state')) as { state: string } | undefined;
  const rows = (await db('core_tax_rates').where({ country: client.country, active: true }).whereIn('region', ['', primary?.state ?? ''])) as { region: string; rate_bp: number; name: string }[];
  const best = rows.find((r) => r.region !== '') ?? rows.find((r) => r.region === '');
  return best ? { rateBp: best.rate_bp, name: best.name } : { rateBp: 0, name: '' };
}
