// Secrets at rest and plugin settings: encryption, the key file, and the defaults ← config ← saved order.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSecretBox, loadMasterKey } from '../../core/secrets/crypto.ts';
import { SettingsStore } from '../../core/settings/store.ts';
import { ManualClock } from '../../core/clock.ts';
import { createMigratedTestDb, tempDir, type TestDb } from '../helpers/db.ts';

describe('secrets', () => {
  it('creates a key file readable only by its owner on first start and reuses it', () => {
    const dir = tempDir();
    const key = loadMasterKey({ envKey: undefined, dataDir: dir });
    const file = path.join(dir, 'secret.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadMasterKey({ envKey: undefined, dataDir: dir }).equals(key)).toBe(true);
    expect(loadMasterKey({ envKey: 'a'.repeat(64), dataDir: dir }).equals(key)).toBe(false);
    expect(() => loadMasterKey({ envKey: 'short', dataDir: dir })).toThrow(/TRELLIS_SECRET_KEY/);
  });

  it('encrypts with AES-256-GCM: different every time, and tampering is detected', () => {
    const box = createSecretBox(Buffer.alloc(32, 7));
    const a = box.encrypt('hunter2');
    const b = box.encrypt('hunter2');
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(box.decrypt(a)).toBe('hunter2');
    const raw = Buffer.from(a.slice(3), 'base64');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(() => box.decrypt('v1:' + raw.toString('base64'))).toThrow();
    expect(() => createSecretBox(Buffer.alloc(32, 8)).decrypt(a)).toThrow();
  });
});

describe('plugin settings', () => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
  });
  const shape = {
    schema: z.object({ url: z.string().url(), retries: z.number().int().min(0), password: z.string().min(1) }),
    defaults: { retries: 3 },
    secret: ['password'],
  };

  it('merges defaults, config options and saved values in that order, and validates the result', async () => {
    t = await createMigratedTestDb();
    const store = new SettingsStore({ db: t.db, clock: new ManualClock(), secrets: createSecretBox(Buffer.alloc(32, 1)) });
    expect(await store.resolvePluginSettings('x', shape as never, { url: 'https://a.example', password: 'p' })).toEqual({ ok: true, value: { url: 'https://a.example', retries: 3, password: 'p' } });
    const saved = await store.savePluginSettings('x', shape as never, { url: 'https://a.example', password: 'p' }, { retries: 5, password: 'from-ui' });
    expect(saved.ok).toBe(true);
    expect(await store.resolvePluginSettings('x', shape as never, { url: 'https://a.example', retries: 1 })).toEqual({ ok: true, value: { url: 'https://a.example', retries: 5, password: 'from-ui' } });
    const bad = await store.savePluginSettings('x', shape as never, {}, { url: 'javascript:alert(1)', retries: -1 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors)).toEqual(expect.arrayContaining(['retries']));
  });

  it('stores secret fields encrypted and keeps them when the form leaves them blank', async () => {
    t = await createMigratedTestDb();
    const store = new SettingsStore({ db: t.db, clock: new ManualClock(), secrets: createSecretBox(Buffer.alloc(32, 1)) });
    await store.savePluginSettings('x', shape as never, {}, { url: 'https://a.example', retries: 1, password: 'sup3r-secret' });
    const raw = (await t.db('core_settings').where({ key: 'plugin.x' }).first()) as { value: string };
    expect(raw.value).not.toContain('sup3r-secret');
    await store.savePluginSettings('x', shape as never, {}, { url: 'https://b.example', retries: 1, password: '' });
    const resolved = await store.resolvePluginSettings('x', shape as never, {});
    expect(resolved).toEqual({ ok: true, value: { url: 'https://b.example', retries: 1, password: 'sup3r-secret' } });
  });
});
