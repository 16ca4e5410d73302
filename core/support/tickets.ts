// TicketService: support tickets opened by clients, staff or the system (being built).
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';

export interface TicketDeps {
  db: Knex;
  clock: Clock;
  log: Logger;
  mail: Mailer;
}

export class TicketService {
  constructor(readonly deps: TicketDeps) {}
}
