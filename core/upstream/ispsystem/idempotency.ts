// Which calls the client may repeat by itself: only those that cannot change anything upstream.

/**
 * Last name parts of functions that act without `sok` (group operations, power, key creation):
 * repeating one after a lost reply could act twice, or report an error for what already happened.
 */
const ACTIONS = new Set([
  'delete', 'suspend', 'resume', 'enable', 'disable', 'on', 'off', 'poweron', 'poweroff', 'reboot',
  'start', 'stop', 'restart', 'reinstall', 'chpasswd', 'prolong', 'newkey', 'opercancel', 'finish',
  'register', 'renew', 'ns', 'sync', 'setstatus', 'setexpiredate',
]);

/**
 * Whether a call only reads, so the client may repeat it after a timeout or a 5xx. A save
 * (`sok`) or an order (`vds.order.param`, `domain.order.api`) never is, whatever the caller says:
 * whether to repeat those is the operation queue's decision. For the rest the caller's word wins,
 * and the default (action verbs are writes) errs towards "write".
 */
export function isReadOnlyCall(func: string, params: URLSearchParams, idempotent?: boolean): boolean {
  if (params.get('sok') || func.split('.').includes('order')) return false;
  if (idempotent !== undefined) return idempotent;
  const parts = func.split('.');
  return !ACTIONS.has(parts[parts.length - 1] ?? '');
}
