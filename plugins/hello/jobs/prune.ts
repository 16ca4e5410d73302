// A scheduled job: forget greetings older than 30 days (idempotent: a second run deletes nothing).
import type { JobContext } from '../../../core/plugins/api.ts';
import { GreetingStore } from '../store/greetings.ts';

export async function pruneGreetings(ctx: JobContext): Promise<void> {
  const cutoff = new Date(ctx.clock.now().getTime() - 30 * 86_400_000).toISOString();
  ctx.count('deleted', await new GreetingStore(ctx.db).deleteOlderThan(cutoff));
}
