// Portal pages render in core's client layout from this plugin's views, with the labels every page uses.
import type { Context } from 'hono';
import { renderView, type AppEnv, type RenderOptions } from '../../../core/plugins/api.ts';
import { INVOICE_STATUS_LABELS, STATUS_LABELS, invoiceBadge, invoiceStatusText, serviceBadge } from './labels.ts';

export const PORTAL = 'client-portal';

export function renderPortal(c: Context<AppEnv>, view: string, data: Record<string, unknown> = {}, opts: RenderOptions = {}): Response {
  const t = c.get('t');
  return renderView(c, `@${PORTAL}/${view}`, { serviceStatusLabels: STATUS_LABELS, invoiceStatusLabels: INVOICE_STATUS_LABELS, invoiceStatusText: (s: string) => invoiceStatusText(t, s), invoiceBadge, serviceBadge, ...data }, opts);
}

/** The signed-in client's id: the client guard in front of /client guarantees it. */
export function clientIdOf(c: Context<AppEnv>): number {
  const id = c.get('user')?.clientId;
  if (!id) throw new Error('portal route reached without a client user');
  return id;
}
