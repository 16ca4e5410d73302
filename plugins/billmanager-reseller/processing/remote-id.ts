// The reseller-side id sent upstream as `remoteid`: names the Trellis service and the operation that
// ordered it, so a retried open finds what a lost reply had already ordered, and events find their service.

/** `trellis-<service id>-<operation id>` (PROTOCOLS §2.2 `remoteid`: any reseller-side id). */
export function remoteIdFor(serviceId: number, operationId?: number): string {
  return operationId === undefined ? `trellis-${serviceId}` : `trellis-${serviceId}-${operationId}`;
}

/** The Trellis service a remote id names, or null for anything this panel did not send. */
export function serviceIdOfRemoteId(remoteid: string): number | null {
  const m = /^trellis-(\d{1,12})(?:-\d{1,12})?$/.exec(remoteid.trim());
  return m ? Number(m[1]) : null;
}
