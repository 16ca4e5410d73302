// Outgoing e-mail: every message lands in core_outbox first; a job delivers it over SMTP when one is set.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { iso } from '../db/time.ts';
import { insertBatched } from '../db/batch.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface OutboxRow {
  id: number;
  created_at: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  status: 'held' | 'queued' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  sent_at: string | null;
  error: string | null;
}

const MAX_ATTEMPTS = 5;

export class Mailer {
  readonly #transport: Transporter | null;
  constructor(
    private readonly deps: { db: Knex; clock: Clock; log: Logger; smtpUrl?: string | undefined; from: string },
  ) {
    this.#transport = deps.smtpUrl ? nodemailer.createTransport(deps.smtpUrl) : null;
  }

  get hasSmtp(): boolean {
    return this.#transport !== null;
  }

  /**
   * Records the message; nothing is sent inside the caller's request. Without SMTP it is 'held' and
   * shown at /admin/system/outbox, so no message is lost. Pass a transaction to make it atomic.
   */
  async send(msg: MailMessage, trx?: Knex.Transaction): Promise<number> {
    const [row] = await (trx ?? this.deps.db)('core_outbox').insert(this.#outboxRow(msg, iso(this.deps.clock.now()))).returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  /**
   * Records many messages with multi-row inserts (a bill run's notices): the same rows `send` writes,
   * in the order given. Returns how many were recorded; their ids are not read back.
   */
  async sendMany(msgs: readonly MailMessage[], trx?: Knex.Transaction): Promise<number> {
    if (!msgs.length) return 0;
    const now = iso(this.deps.clock.now());
    await insertBatched(trx ?? this.deps.db, 'core_outbox', msgs.map((m) => this.#outboxRow(m, now)));
    return msgs.length;
  }

  #outboxRow(msg: MailMessage, now: string) {
    return {
      created_at: now,
      to: msg.to,
      subject: msg.subject,
      text: msg.text,
      html: msg.html ?? null,
      status: this.#transport ? 'queued' : 'held',
      attempts: 0,
      next_attempt_at: this.#transport ? now : null,
    };
  }

  /** Delivers queued messages that are due; retried with backoff, then marked failed. Returns counts. */
  async deliverDue(limit = 50): Promise<{ sent: number; failed: number }> {
    if (!this.#transport) return { sent: 0, failed: 0 };
    const now = this.deps.clock.now();
    const due = (await this.deps.db('core_outbox')
      .where({ status: 'queued' })
      .andWhere('next_attempt_at', '<=', iso(now))
      .orderBy('next_attempt_at')
      .limit(limit)) as OutboxRow[];
    let sent = 0;
    let failed = 0;
    for (const m of due) {
      try {
        await this.#transport.sendMail({ from: this.deps.from, to: m.to, subject: m.subject, text: m.text, html: m.html ?? undefined });
        await this.deps.db('core_outbox').where({ id: m.id }).update({ status: 'sent', sent_at: iso(this.deps.clock.now()), attempts: m.attempts + 1, error: null });
        sent++;
      } catch (err) {
        const attempts = m.attempts + 1;
        const last = attempts >= MAX_ATTEMPTS;
        const next = new Date(now.getTime() + 60_000 * 2 ** (attempts - 1));
        await this.deps.db('core_outbox')
          .where({ id: m.id })
          .update({ status: last ? 'failed' : 'queued', attempts, next_attempt_at: last ? null : iso(next), error: (err as Error).message.slice(0, 1000) });
        this.deps.log.warn('mail delivery failed', { outboxId: m.id, attempts, err });
        failed++;
      }
    }
    return { sent, failed };
  }

  async list(opts: { limit: number; offset: number }): Promise<{ rows: OutboxRow[]; total: number }> {
    const [{ n }] = (await this.deps.db('core_outbox').count({ n: '*' })) as [{ n: number | string }];
    const rows = (await this.deps.db('core_outbox').orderBy('id', 'desc').limit(opts.limit).offset(opts.offset)) as OutboxRow[];
    return { rows, total: Number(n) };
  }

  async get(id: number): Promise<OutboxRow | undefined> {
    return (await this.deps.db('core_outbox').where({ id }).first()) as OutboxRow | undefined;
  }

  close(): void {
    this.#transport?.close();
  }
}
