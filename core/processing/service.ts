// ProcessingService: module registry, processing servers and the operations queue (being built).
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { SecretBox } from '../secrets/crypto.ts';
import type { JobSystem } from '../jobs/index.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { EventBus } from '../events/bus.ts';
import type { TicketService } from '../support/tickets.ts';
import type { ProcessingModule } from './types.ts';

export interface ProcessingDeps {
  db: Knex;
  clock: Clock;
  log: Logger;
  secrets: SecretBox;
  jobs: JobSystem;
  audit: AuditLog;
  events: EventBus;
  tickets: TicketService;
}

export class ProcessingService {
  readonly #modules = new Map<string, ProcessingModule>();
  constructor(readonly deps: ProcessingDeps) {}

  registerModule(module: ProcessingModule): void {
    if (this.#modules.has(module.name)) throw new Error(`Processing module '${module.name}' is already registered`);
    this.#modules.set(module.name, module);
  }

  modules(): ProcessingModule[] {
    return [...this.#modules.values()];
  }
}
