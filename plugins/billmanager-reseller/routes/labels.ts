// Badge styles of service statuses on the plugin's pages (core CSS: badge-ok, -failed, -pending, -warning).

export function serviceBadge(status: string): string {
  if (status === 'active') return 'ok';
  if (status.startsWith('suspended') || status === 'failed' || status === 'fraud') return 'failed';
  if (status === 'pending' || status === 'in_progress') return 'pending';
  if (status === 'pending_renewal' || status === 'expired') return 'warning';
  return 'closed';
}
