// Child process for the two-runner test: one panel process that runs the operations queue once.
import { openDb } from '../../core/db/knex.ts';
import { ManualClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import { createSecretBox } from '../../core/secrets/crypto.ts';
import { JobSystem } from '../../core/jobs/index.ts';
import { AuditLog } from '../../core/audit/audit.ts';
import { EventBus } from '../../core/events/bus.ts';
import { Mailer } from '../../core/mail/mailer.ts';
import { TicketService } from '../../core/support/tickets.ts';
import { ProcessingService } from '../../core/processing/service.ts';

const [url, searchPath, runner, startAt, now] = process.argv.slice(2) as [string, string, string, string, string];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const db = openDb({ url, searchPath: searchPath || undefined, poolMax: 2 });
const clock = new ManualClock(now);
const log = createLogger({ level: 'silent' });
const mail = new Mailer({ db, clock, log, from: 'panel@example.test' });
const processing = new ProcessingService({
  db,
  clock,
  log,
  secrets: createSecretBox(Buffer.alloc(32, 7)),
  jobs: new JobSystem({ db, clock, log, processId: runner }),
  audit: new AuditLog({ db, clock }),
  events: new EventBus(log),
  tickets: new TicketService({ db, clock, log, mail }),
});
const ran: number[] = [];
processing.registerModule({
  name: 'slow',
  title: 'Slow upstream',
  features: ['open'],
  async open(ctx) {
    ran.push(ctx.operation!.id);
    await sleep(5); // the call spans event-loop turns, as a real HTTP call does
    return { externalId: `${runner}:${ctx.operation!.id}` };
  },
});

await sleep(Math.max(0, Number(startAt) - Date.now()));
const summary = await processing.runDue();
await db.destroy();
process.stdout.write(JSON.stringify({ runner, ran, summary }) + '\n');
