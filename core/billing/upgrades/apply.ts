// Confirming a package or add-on change: a positive price becomes an upgrade invoice and the change waits
// for its payment; a negative one goes to the client's credit balance and, like a free change, applies at
// once. Applying moves the service to its new package, price and add-ons and queues a "change parameters"
// operation so the upstream system follows. Everything runs in the caller's transaction.
import type { Knex } from 'knex';
import type { OperationQueue } from '../fulfil.ts';
import { createInvoice, type NewInvoiceLine } from '../invoices/create.ts';
import { cancelInvoice } from '../invoices/payments.ts';
import { changeBalance, getInvoice, type InvoiceRow } from '../invoices/store.ts';
import { addDays } from '../services/periods.ts';
import type { Actor } from '../services/transition.ts';
import type { BillingSettings } from '../settings.ts';
import { formatMoney } from '../../money/money.ts';
import type { ChangePreview } from './preview.ts';
import { closeUpgrade, findAwaitingUpgrade, findUpgradeByInvoice, insertUpgrade, resultAddons, type ResultAddon, type UpgradeKind } from './store.ts';

export class UpgradeError extends Error {
  constructor(
    message: string,
    readonly code: 'pending' | 'currency' | 'not_cancellable' | 'gone',
  ) {
    super(message);
    this.name = 'UpgradeError';
  }
}

export interface ConfirmDeps {
  ops: OperationQueue;
  settings: Pick<BillingSettings, 'invoicePrefix' | 'paymentTermsDays'>;
  at: string;
  actor: Actor;
}

export type ConfirmResult =
  | { outcome: 'invoice'; upgradeId: number; invoice: { id: number; number: string; total: number } }
  | { outcome: 'credit'; upgradeId: number; credited: number; operationId: number }
  | { outcome: 'none'; upgradeId: number; operationId: number };

/** Statuses in which a paid change can no longer be applied: its money goes back to the credit balance. */
const GONE = ['cancelled', 'transferred', 'fraud', 'expired'];

function actorLabel(actor: Actor): string {
  return actor.label ?? actor.type;
}

async function recordNote(trx: Knex.Transaction, serviceId: number, actor: Actor, reason: string, at: string): Promise<void> {
  const row = (await trx('core_services').where({ id: serviceId }).first('status')) as { status: string } | undefined;
  if (!row) return;
  await trx('core_service_history').insert({
    service_id: serviceId, at, from_status: row.status, to_status: row.status, actor_type: actor.type, actor_id: actor.id ?? null, actor_label: actor.label ?? '', reason: reason.slice(0, 500),
  });
}

/** "2026-03-15 – 2026-03-31, 17 of 31 days" (the period's end is exclusive: its last day is shown). */
function daysText(p: ChangePreview['proration']): string {
  if (p.basis === 'lifetime') return 'lifetime service: whole price';
  return `${p.from} – ${p.lastDay}, ${p.daysLeft} of ${p.daysInPeriod} days`;
}

function invoiceLines(preview: ChangePreview, serviceName: string): NewInvoiceLine[] {
  const p = preview.proration;
  const when = daysText(p);
  const range = { periodStart: p.from, periodEnd: p.to };
  return p.items.flatMap((item, i) => {
    const was = preview.kind === 'package' ? serviceName : `${preview.changes[i]!.name}: ${preview.changes[i]!.from}`;
    const lines: NewInvoiceLine[] = [];
    if (item.charge !== 0) lines.push({ kind: preview.kind === 'package' ? 'upgrade' : 'addon', description: `${preview.kind === 'package' ? 'Upgrade' : 'Add-on change'}: ${item.label} (${when})`, unitPrice: item.charge, ...range });
    if (item.credit !== 0) lines.push({ kind: 'credit', description: `Unused part of ${was} (${when})`, unitPrice: -item.credit, ...range });
    return lines;
  });
}

interface Applicable {
  upgradeId: number;
  serviceId: number;
  kind: UpgradeKind;
  toPackageId: number;
  toPeriodId: number | null;
  newPrice: number;
  addons: ResultAddon[];
  toPackageName: string;
  fromPackageName: string;
  toPackageInternalName: string;
}

/** Moves the service to its new terms and queues the upstream change; returns the operation's id. */
async function applyToService(trx: Knex.Transaction, u: Applicable, deps: { ops: OperationQueue; at: string; actor: Actor; reason: string }): Promise<number> {
  await trx('core_services')
    .where({ id: u.serviceId })
    .update({ package_id: u.toPackageId, ...(u.kind === 'package' ? { period_id: u.toPeriodId } : {}), price: u.newPrice, updated_at: deps.at });
  await trx('core_service_addons').where({ service_id: u.serviceId }).delete();
  for (const a of u.addons) await trx('core_service_addons').insert({ service_id: u.serviceId, addon_id: a.addonId, value: a.value, price: a.price });
  await recordNote(trx, u.serviceId, deps.actor, deps.reason, deps.at);
  // Modules read the new package and add-ons from the service itself (ServiceInfo); the payload says
  // what changed, and `changes` stays empty so nothing of this is copied into the service's params.
  return deps.ops.enqueue(trx, {
    serviceId: u.serviceId,
    op: 'set_param',
    payload: {
      changes: {},
      upgrade: {
        id: u.upgradeId,
        kind: u.kind,
        ...(u.kind === 'package' ? { fromPackage: u.fromPackageName, toPackage: u.toPackageInternalName } : {}),
        addons: Object.fromEntries(u.addons.map((a) => [a.internalName, a.value])),
      },
    },
  });
}

function describeChange(preview: Pick<ChangePreview, 'kind' | 'fromPackage' | 'toPackage' | 'changes'>): string {
  if (preview.kind === 'package') return `Package changed from ${preview.fromPackage.name} to ${preview.toPackage.name}`;
  return `Add-ons changed: ${preview.changes.map((c) => `${c.name} ${c.from} → ${c.to}`).join('; ')}`;
}

/**
 * Confirms a previewed change (recompute the preview inside the same transaction first, so what is
 * written is what the client saw). One change at a time: a second one while an invoice waits is refused.
 */
export async function confirmChange(trx: Knex.Transaction, preview: ChangePreview, deps: ConfirmDeps): Promise<ConfirmResult> {
  if (await findAwaitingUpgrade(trx, preview.serviceId)) throw new UpgradeError('Another change of this service is waiting for payment', 'pending');
  const p = preview.proration;
  const svc = (await trx('core_services').where({ id: preview.serviceId, client_id: preview.clientId }).first('label')) as { label: string } | undefined;
  if (!svc) throw new UpgradeError(`Service #${preview.serviceId} does not exist`, 'gone');
  const serviceName = `${preview.fromPackage.name}${svc.label ? ` (${svc.label})` : ''}`;
  const outcome = p.outcome;
  const row = {
    service_id: preview.serviceId, client_id: preview.clientId, kind: preview.kind, from_package_id: preview.fromPackage.id, to_package_id: preview.toPackage.id, to_period_id: preview.toPeriodId,
    currency: preview.currency, old_price: preview.oldPrice, new_price: preview.newPrice,
    addons: preview.addons.map(({ addonId, internalName, value, price }) => ({ addonId, internalName, value, price })),
    basis: p.basis, period_start: p.from, period_end: p.to, days_left: p.daysLeft, days_in_period: p.daysInPeriod,
    credit: p.items.reduce((s, i) => s + i.credit, 0), charge: p.items.reduce((s, i) => s + i.charge, 0), tax: p.tax, total: p.total,
    actor: actorLabel(deps.actor).slice(0, 254), created_at: deps.at, note: '',
  };
  const money = (amount: number) => formatMoney({ amount, currency: preview.currency });

  if (outcome === 'invoice') {
    const today = deps.at.slice(0, 10);
    const invoice = await createInvoice(trx, {
      clientId: preview.clientId, kind: 'upgrade', currency: preview.currency, enteredOn: today, dueOn: addDays(today, deps.settings.paymentTermsDays),
      // No service on the lines: an unpaid upgrade must never suspend the service it would improve (dunning suspends the services of overdue invoices).
      lines: invoiceLines(preview, serviceName).map((l) => ({ ...l, serviceId: null })),
      taxRateBp: preview.taxRateBp, taxInclusive: preview.taxInclusive, numberPrefix: deps.settings.invoicePrefix, at: deps.at,
      notes: `${describeChange(preview)} (service #${preview.serviceId}) when this invoice is paid.`,
    });
    if (invoice.total !== p.total) throw new Error(`Upgrade invoice ${invoice.number} totals ${invoice.total}, the preview ${p.total}`);
    const upgradeId = await insertUpgrade(trx, { ...row, status: 'awaiting_payment', invoice_id: invoice.id });
    await recordNote(trx, preview.serviceId, deps.actor, `${describeChange(preview)} on payment of invoice ${invoice.number} (${money(invoice.total)})`, deps.at);
    return { outcome, upgradeId, invoice: { id: invoice.id, number: invoice.number, total: invoice.total } };
  }

  const upgradeId = await insertUpgrade(trx, { ...row, status: 'applied', invoice_id: null });
  const applicable: Applicable = {
    upgradeId, serviceId: preview.serviceId, kind: preview.kind, toPackageId: preview.toPackage.id, toPeriodId: preview.toPeriodId, newPrice: preview.newPrice, addons: row.addons,
    toPackageName: preview.toPackage.name, fromPackageName: preview.fromPackage.name, toPackageInternalName: preview.toPackage.internalName,
  };
  if (outcome === 'credit') {
    const credited = -p.total;
    const balance = await changeBalance(trx, {
      clientId: preview.clientId, amount: credited, currency: preview.currency, kind: 'upgrade_credit', at: deps.at,
      note: `${describeChange(preview)}: unused part of service #${preview.serviceId} (${daysText(p)})`, actor: actorLabel(deps.actor),
    });
    if (balance === null) throw new UpgradeError(`The credit balance of the client is not kept in ${preview.currency}`, 'currency');
    const operationId = await applyToService(trx, applicable, { ...deps, reason: `${describeChange(preview)}; ${money(credited)} credited to the balance` });
    return { outcome, upgradeId, credited, operationId };
  }
  const operationId = await applyToService(trx, applicable, { ...deps, reason: `${describeChange(preview)}${p.basis === 'trial' ? ' during the trial' : ''}; nothing to pay` });
  return { outcome: 'none', upgradeId, operationId };
}

const SYSTEM: Actor = { type: 'system', label: 'billing' };

/**
 * What paying an upgrade invoice does (called from fulfil.ts): the waiting change is applied. If the
 * service was closed meanwhile or moved to another package, the change is void and what was paid goes
 * to the client's credit balance instead.
 */
export async function applyPaidUpgrade(trx: Knex.Transaction, invoice: Pick<InvoiceRow, 'id' | 'number' | 'client_id' | 'total' | 'currency'>, deps: { ops: OperationQueue; at: string }): Promise<void> {
  const u = await findUpgradeByInvoice(trx, invoice.id);
  if (!u || u.status !== 'awaiting_payment') return;
  const svc = (await trx('core_services').where({ id: u.service_id }).first('status', 'package_id')) as { status: string; package_id: number } | undefined;
  const names = (await trx('core_packages').whereIn('id', [u.from_package_id, u.to_package_id]).select('id', 'name', 'internal_name')) as { id: number; name: string; internal_name: string }[];
  const from = names.find((n) => Number(n.id) === u.from_package_id);
  const to = names.find((n) => Number(n.id) === u.to_package_id);
  if (!svc || GONE.includes(svc.status) || Number(svc.package_id) !== u.from_package_id || !to) {
    const why = !svc || GONE.includes(svc.status) ? `service #${u.service_id} is no longer running` : `service #${u.service_id} is no longer on ${from?.name ?? 'the same package'}`;
    await closeUpgrade(trx, u.id, 'awaiting_payment', 'void', deps.at, `Not applied: ${why}; the payment went to the credit balance`);
    const balance = await changeBalance(trx, {
      clientId: invoice.client_id, amount: Number(invoice.total), currency: invoice.currency, kind: 'upgrade_credit', at: deps.at, invoiceId: invoice.id,
      note: `Invoice ${invoice.number} paid, but the change could not be applied: ${why}`, actor: 'billing',
    });
    if (balance === null) await trx('core_service_upgrades').where({ id: u.id }).update({ note: `Not applied: ${why}; the credit balance is in another currency, refund invoice ${invoice.number}` });
    if (svc) await recordNote(trx, u.service_id, SYSTEM, `Invoice ${invoice.number} paid, but the change could not be applied: ${why}`, deps.at);
    return;
  }
  const addons = resultAddons(u);
  const what = u.kind === 'package' ? `Package changed from ${from?.name ?? `#${u.from_package_id}`} to ${to.name}` : 'Add-ons changed';
  await applyToService(
    trx,
    { upgradeId: u.id, serviceId: u.service_id, kind: u.kind, toPackageId: u.to_package_id, toPeriodId: u.to_period_id, newPrice: u.new_price, addons, toPackageName: to.name, fromPackageName: from?.name ?? '', toPackageInternalName: to.internal_name },
    { ops: deps.ops, at: deps.at, actor: SYSTEM, reason: `${what}: invoice ${invoice.number} paid` },
  );
  await closeUpgrade(trx, u.id, 'awaiting_payment', 'applied', deps.at);
}

/** The client withdraws a change that waits for payment: its invoice is cancelled (only while nothing was paid). */
export async function cancelAwaitingUpgrade(trx: Knex.Transaction, input: { clientId: number; serviceId: number; at: string; actor: Actor }): Promise<{ invoiceNumber: string } | null> {
  const u = await findAwaitingUpgrade(trx, input.serviceId);
  if (!u || u.client_id !== input.clientId) return null;
  const invoice = await getInvoice(trx, u.invoice_id!);
  if (!invoice || Number(invoice.amount_paid) > 0 || !(await cancelInvoice(trx, { invoiceId: invoice.id, at: input.at }))) {
    throw new UpgradeError(`Invoice ${u.invoice_number} has received a payment: the change can no longer be withdrawn`, 'not_cancellable');
  }
  await closeUpgrade(trx, u.id, 'awaiting_payment', 'cancelled', input.at, `Withdrawn by ${actorLabel(input.actor)}`);
  await recordNote(trx, input.serviceId, input.actor, `Change withdrawn; invoice ${invoice.number} cancelled`, input.at);
  return { invoiceNumber: invoice.number };
}
