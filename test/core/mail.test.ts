// E-mail: held in the outbox without SMTP; delivered over real SMTP (a loopback server) when configured.
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp | undefined;
let smtp: SMTPServer | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  smtp = undefined;
});

async function startSmtp(opts: { reject?: boolean } = {}): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, cb) {
      let data = '';
      stream.on('data', (d: Buffer) => (data += d.toString()));
      stream.on('end', () => {
        if (opts.reject) return cb(new Error('mailbox unavailable'));
        received.push(data);
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp!.listen(0, '127.0.0.1', () => r()));
  return { port: (smtp.server.address() as AddressInfo).port, received };
}

describe('mail', () => {
  it('keeps messages in the outbox when no SMTP server is configured, and shows them to admins', async () => {
    t = await createTestApp();
    await t.services.mail.send({ to: 'client@example.test', subject: 'Invoice <1>', text: 'Please pay.' });
    const row = await t.services.db('core_outbox').first();
    expect(row.status).toBe('held');
    expect(await t.services.mail.deliverDue()).toEqual({ sent: 0, failed: 0 });
    await t.createUser('staff', 'admin@example.test');
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const page = await admin.get('/admin/system/outbox');
    expect(page.$('#outbox-table tbody').text()).toMatch(/Invoice <1>/);
    expect(page.html).not.toContain('Invoice <1>'); // escaped
    const detail = await admin.get(`/admin/system/outbox/${row.id}`);
    expect(detail.$('.message-body').text()).toBe('Please pay.');
  });

  it('delivers queued messages over SMTP from the job, once', async () => {
    const server = await startSmtp();
    t = await createTestApp({ env: { TRELLIS_SMTP_URL: `smtp://127.0.0.1:${server.port}?ignoreTLS=true`, TRELLIS_SMTP_FROM: 'Panel <panel@example.test>' } });
    await t.services.mail.send({ to: 'client@example.test', subject: 'Welcome', text: 'Hello there' });
    const run = await t.services.jobs.runOnce('core.mail.deliver', 'manual');
    expect(run.status).toBe('ok');
    expect(run.counts).toEqual({ sent: 1, failed: 0 });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]).toMatch(/Subject: Welcome/);
    expect(server.received[0]).toMatch(/From: Panel <panel@example.test>/);
    const row = await t.services.db('core_outbox').first();
    expect(row.status).toBe('sent');
    await t.services.jobs.runOnce('core.mail.deliver', 'manual');
    expect(server.received).toHaveLength(1);
  });

  it('retries a refused message with backoff and marks it failed after the last attempt', async () => {
    const server = await startSmtp({ reject: true });
    t = await createTestApp({ env: { TRELLIS_SMTP_URL: `smtp://127.0.0.1:${server.port}?ignoreTLS=true` } });
    await t.services.mail.send({ to: 'client@example.test', subject: 'Hi', text: 'x' });
    for (let i = 0; i < 5; i++) {
      expect(await t.services.mail.deliverDue()).toEqual({ sent: 0, failed: 1 });
      expect(await t.services.mail.deliverDue()).toEqual({ sent: 0, failed: 0 }); // not due again yet
      t.clock.advance(2 ** i * 60_000);
    }
    const row = await t.services.db('core_outbox').first();
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(5);
    expect(row.error).toMatch(/mailbox unavailable/);
  });
});
