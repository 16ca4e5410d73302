// Small helpers every route file of the plugin uses: who acts, and ids from the URL.
import type { Context } from 'hono';
import type { AppEnv } from '../../../core/plugins/api.ts';

/** The signed-in user as the audit log and the service history name them. */
export function actorOf(c: Context<AppEnv>): { type: 'staff' | 'client'; id: number; label: string } {
  const user = c.get('user');
  if (!user) throw new Error('a route of billmanager-reseller ran without a signed-in user');
  return { type: user.kind === 'staff' ? 'staff' : 'client', id: user.id, label: user.email };
}

/** A positive id from the URL or a form; NaN otherwise (lookups then find nothing: 404). */
export function idParam(raw: string | undefined): number {
  return raw !== undefined && /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : Number.NaN;
}
