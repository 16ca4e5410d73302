// The plugin host: every way a plugin can fail leaves the panel up and the plugin with nothing registered.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent, createTestApp, REPO_ROOT, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { createApp, type TrellisApp } from '../../core/app.ts';
import { loadConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/log.ts';
import { listTables } from '../../core/db/knex.ts';
import { definePlugin, createRouter, type PluginContext } from '../../core/plugins/api.ts';
import { PluginErrorCodes as E, type PluginErrorCode, type PluginPhase } from '../../core/plugins/errors.ts';
import type { PluginConfigEntry } from '../../core/plugins/config.ts';
import type { PluginReportEntry } from '../../core/plugins/host.ts';
import { SettingsStore } from '../../core/settings/store.ts';
import hello from '../../plugins/hello/index.ts';
import { helloSettings } from '../../plugins/hello/settings.ts';
import fixtureGood from '../fixtures/plugins/fixture-good/index.ts';
import slowRegister, { type SlowRegisterPlugin } from '../fixtures/plugins/slow-register/index.ts';
import upgrader from '../fixtures/plugins/upgrader/index.ts';

/** A fixture plugin as a module path, resolved against the repository root like a plugin.config.ts entry. */
const fixture = (name: string) => `./test/fixtures/plugins/${name}/index.ts`;
const ADMIN = 'admin@example.test';

interface FailureCase {
  fixture: string;
  /** The name the report lists it under. */
  reportName: string;
  /** The name the plugin would have had: what its routes, menu entries and jobs would be owned by. */
  owner: string;
  phase: PluginPhase;
  code: PluginErrorCode;
}

const failures: FailureCase[] = [
  { fixture: 'throws-on-import', reportName: fixture('throws-on-import'), owner: 'throws-on-import', phase: 'import', code: E.IMPORT },
  { fixture: 'bad-api-range', reportName: 'bad-api-range', owner: 'bad-api-range', phase: 'meta', code: E.API_VERSION },
  { fixture: 'bad-name', reportName: 'Bad_Name', owner: 'Bad_Name', phase: 'meta', code: E.NAME },
  { fixture: 'missing-dependency', reportName: 'missing-dependency', owner: 'missing-dependency', phase: 'dependencies', code: E.MISSING_DEPENDENCY },
  { fixture: 'cycle-a', reportName: 'cycle-a', owner: 'cycle-a', phase: 'dependencies', code: E.DEPENDENCY_CYCLE },
  { fixture: 'cycle-b', reportName: 'cycle-b', owner: 'cycle-b', phase: 'dependencies', code: E.DEPENDENCY_CYCLE },
  { fixture: 'depends-on-broken', reportName: 'depends-on-broken', owner: 'depends-on-broken', phase: 'dependencies', code: E.DEPENDENCY_FAILED },
  { fixture: 'bad-settings', reportName: 'bad-settings', owner: 'bad-settings', phase: 'settings', code: E.SETTINGS },
  { fixture: 'failing-migration', reportName: 'failing-migration', owner: 'failing-migration', phase: 'migrations', code: E.MIGRATION },
  { fixture: 'table-without-prefix', reportName: 'table-without-prefix', owner: 'table-without-prefix', phase: 'migrations', code: E.TABLE_PREFIX },
  { fixture: 'throwing-register', reportName: 'throwing-register', owner: 'throwing-register', phase: 'register', code: E.REGISTER },
  { fixture: 'slow-register', reportName: 'slow-register', owner: 'slow-register', phase: 'register', code: E.REGISTER_TIMEOUT },
  { fixture: 'invalid-job', reportName: 'invalid-job', owner: 'invalid-job', phase: 'commit', code: E.REGISTER },
];

function entry(report: PluginReportEntry[], name: string): PluginReportEntry {
  const found = report.find((p) => p.name === name);
  if (!found) throw new Error(`no report entry '${name}'; have: ${report.map((p) => p.name).join(', ')}`);
  return found;
}

function routesOf(t: TrellisApp, owner: string): string[] {
  const mounts = ['/admin', '/client', '/p'].map((area) => `${area}/${owner}`);
  return t.app.routes.map((r) => r.path).filter((p) => mounts.some((m) => p === m || p.startsWith(`${m}/`)));
}

async function signedInAdmin(t: TestApp): Promise<Agent> {
  if (!(await t.services.users.findByEmail('staff', ADMIN))) await t.createUser('staff', ADMIN);
  const agent = t.agent();
  await agent.login('staff', ADMIN);
  return agent;
}

/** Boots a second panel on the same database, as a restart would. */
async function restart(t: TestApp, plugins: PluginConfigEntry[]): Promise<TrellisApp> {
  const config = loadConfig({ TRELLIS_DATA_DIR: t.db.dir, TRELLIS_SECRET_KEY: TEST_SECRET_KEY, TRELLIS_LOG_LEVEL: 'silent' });
  return createApp({ config, db: t.db.db, clock: t.clock, log: silentLogger, pluginConfig: { plugins }, configDir: REPO_ROOT });
}

async function ledger(t: TestApp, prefix: string): Promise<string[]> {
  const rows = (await t.db.db(`knex_migrations__${prefix}`).select('name').orderBy('name')) as { name: string }[];
  return rows.map((r) => r.name);
}

describe('a panel booted with every broken fixture plugin', () => {
  let t: TestApp;
  let admin: Agent;
  let slow: SlowRegisterPlugin;

  beforeAll(async () => {
    slow = slowRegister();
    t = await createTestApp({
      plugins: [
        hello({ greeting: 'Howdy' }),
        fixtureGood,
        ...failures.map((f) => (f.fixture === 'slow-register' ? slow : fixture(f.fixture))),
        fixture('duplicate'),
      ],
    });
    // The slow plugin keeps running after the host gave up on it; wait until it has tried to register more.
    await slow.lateRegistration;
    admin = await signedInAdmin(t);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('still boots, with hello and the good fixture enabled', async () => {
    expect(entry(t.plugins, 'hello').state).toBe('enabled');
    expect(entry(t.plugins, 'fixture-good').state).toBe('enabled');
    const health = await t.app.request('/healthz');
    expect(health.status).toBe(200);
    const body = (await health.json()) as { plugins: { name: string; state: string; code?: string }[] };
    expect(body.plugins).toContainEqual({ name: 'hello', state: 'enabled' });
    for (const f of failures) expect(body.plugins).toContainEqual({ name: f.reportName, state: 'failed', code: f.code });
  });

  describe.each(failures)('the $fixture fixture', (f) => {
    it(`is reported failed in phase ${f.phase} with ${f.code} and a reason`, () => {
      const r = entry(t.plugins, f.reportName);
      expect(r).toMatchObject({ state: 'failed', phase: f.phase, code: f.code });
      expect(r.message).toBeTruthy();
      expect(r).toMatchObject({ routes: [], menu: 0, jobs: [], listeners: 0, slots: [] });
    });

    it('leaves no routes, menu entries, jobs, listeners or slots behind', () => {
      expect(routesOf(t, f.owner)).toEqual([]);
      expect(t.services.menu.entries(f.owner)).toEqual([]);
      expect(t.services.jobs.registeredIds().filter((id) => id.startsWith(`${f.owner}.`))).toEqual([]);
      expect(t.services.events.listenerCount(f.owner)).toBe(0);
      expect(t.services.slots.count(f.owner)).toBe(0);
      expect(t.services.plugins.isEnabled(f.owner)).toBe(false);
      expect(t.services.plugins.plugin(f.owner)).toBeUndefined();
    });

    it('answers 404 at its admin and public addresses, even to a signed-in admin', async () => {
      expect((await admin.get(`/admin/${f.owner}`)).status).toBe(404);
      expect((await admin.get(`/p/${f.owner}`)).status).toBe(404);
    });

    it('is logged with its code', () => {
      const line = t.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'plugin disabled' && l.plugin === f.reportName);
      expect(line).toMatchObject({ level: 'error', code: f.code, phase: f.phase });
    });
  });

  it('refuses a second plugin named fixture-good and keeps the first', () => {
    const dup = entry(t.plugins, `fixture-good (${fixture('duplicate')})`);
    expect(dup).toMatchObject({ state: 'failed', phase: 'meta', code: E.DUPLICATE, version: '9.9.9' });
    expect(entry(t.plugins, 'fixture-good')).toMatchObject({ state: 'enabled', version: '1.0.0' });
    expect(t.services.menu.entries('fixture-good').map((m) => m.id)).toEqual(['items']);
    expect(t.services.jobs.registeredIds().filter((id) => id.startsWith('fixture-good.')).sort()).toEqual(['fixture-good.process', 'fixture-good.tidy']);
  });

  it('drops what the slow plugin registered after its timeout', () => {
    // Everything the late call tried is tagged 'late'; none of it may appear anywhere.
    expect(t.services.menu.entries().filter((m) => m.id === 'entry-late')).toEqual([]);
    expect(t.services.jobs.registeredIds().filter((id) => id.includes('-late'))).toEqual([]);
    expect(routesOf(t, 'slow-register')).toEqual([]);
    expect(t.services.events.listenerCount('slow-register')).toBe(0);
  });

  it('rolls back the whole batch of a failing migration, ledger included', async () => {
    const tables = await listTables(t.db.db);
    // knex runs a batch of pending migrations in one transaction: the good first migration goes too.
    expect(tables).toContain('knex_migrations__failing_migration');
    expect(await ledger(t, 'failing_migration')).toEqual([]);
    expect(tables.filter((n) => n.startsWith('failing_migration_'))).toEqual([]);
    expect(entry(t.plugins, 'failing-migration').message).toContain('the second migration is broken');
  });

  it('rolls back a migration that created a table outside the prefix, and drops that table', async () => {
    const tables = await listTables(t.db.db);
    expect(tables).not.toContain('customers');
    expect(tables.filter((n) => n.startsWith('table_without_prefix_'))).toEqual([]);
    expect(await ledger(t, 'table_without_prefix')).toEqual([]);
    expect(entry(t.plugins, 'table-without-prefix').message).toContain('customers');
  });

  it('cascades from a failed dependency to its dependent', () => {
    expect(entry(t.plugins, 'throwing-register').state).toBe('failed');
    expect(entry(t.plugins, 'depends-on-broken').message).toContain("'throwing-register'");
  });

  it('serves the good fixture page to an admin, with its menu entry in the admin nav', async () => {
    const page = await admin.get('/admin/fixture-good');
    expect(page.status).toBe(200);
    expect(page.$('#fixture-good-count').text()).toBe('Items: 0');
    const nav = page.$('nav.side-nav a').map((_, a) => ({ href: page.$(a).attr('href'), label: page.$(a).text() })).get();
    expect(nav).toContainEqual({ href: '/admin/fixture-good', label: 'Fixture items' });
    expect(nav).toContainEqual({ href: '/admin/hello', label: 'Hello' });
    // No broken plugin got into the menu.
    expect(nav.map((n) => n.href).filter((h) => failures.some((f) => h === `/admin/${f.owner}`))).toEqual([]);
    expect((await admin.get('/admin/hello')).status).toBe(200);
  });

  it("registers the good fixture's jobs, listener and slot", async () => {
    expect(t.services.jobs.registeredIds()).toEqual(expect.arrayContaining(['fixture-good.tidy', 'fixture-good.process', 'hello.prune']));
    const jobs = await t.services.jobs.list();
    expect(jobs.find((j) => j.id === 'fixture-good.tidy')).toMatchObject({ owner: 'fixture-good', kind: 'scheduled', registered: true });
    expect(t.services.events.listenerCount('fixture-good')).toBe(1);
    expect(await t.services.slots.render('client.service.detail', {})).toBe('<p class="fixture-good-slot">fixture-good was here</p>');
    expect(entry(t.plugins, 'fixture-good')).toMatchObject({ routes: ['admin'], menu: 1, listeners: 1, slots: ['client.service.detail'], migrations: ['20260101000100_items'] });
  });

  it('shows every failed plugin with its phase and code on System → Plugins', async () => {
    const page = await admin.get('/admin/system/plugins');
    expect(page.status).toBe(200);
    for (const f of [...failures, { reportName: `fixture-good (${fixture('duplicate')})`, phase: 'meta', code: E.DUPLICATE }]) {
      const row = page.$(`#plugin-report tr`).filter((_, tr) => page.$(tr).attr('data-plugin') === f.reportName);
      expect(row.length, f.reportName).toBe(1);
      expect(row.find('code').text()).toBe(f.code);
      expect(row.find('.badge').text()).toBe('failed');
      expect(row.find('td').eq(2).text()).toBe(f.phase);
    }
    const good = page.$('#plugin-report tr[data-plugin="fixture-good"]');
    expect(good.find('.badge').text()).toBe('enabled');
  });

  it('keeps each plugin in its own migration ledger, and every table inside its prefix', async () => {
    const tables = await listTables(t.db.db);
    expect(await ledger(t, 'fixture_good')).toEqual(['20260101000100_items']);
    expect(await ledger(t, 'hello')).toEqual(['20261122000100_greetings']);
    const prefixes = t.services.plugins.enabledPlugins().map((p) => (p.meta.tablePrefix ?? p.meta.name.replace(/-/g, '_')) + '_');
    const strays = tables.filter((n) => !n.startsWith('core_') && !n.startsWith('knex_migrations') && !prefixes.some((p) => n.startsWith(p)));
    expect(strays).toEqual([]);
    expect(tables).toEqual(expect.arrayContaining(['fixture_good_items', 'hello_greetings']));
  });
});

describe('a plugin at run time', () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.destroy();
  });

  it('is hidden and answers 404 while switched off, and comes back when switched on', async () => {
    t = await createTestApp({ plugins: [fixtureGood, hello()] });
    const admin = await signedInAdmin(t);
    t.services.plugins.setRuntimeEnabled('fixture-good', false);
    expect((await admin.get('/admin/fixture-good')).status).toBe(404);
    const dashboard = await admin.get('/admin');
    const hrefs = dashboard.$('nav.side-nav a').map((_, a) => dashboard.$(a).attr('href')).get();
    expect(hrefs).not.toContain('/admin/fixture-good');
    expect(hrefs).toContain('/admin/hello');
    expect(await t.services.slots.render('client.service.detail', {})).toBe('');
    expect((await admin.get('/admin/hello')).status).toBe(200);
    // Its listeners stay quiet and its jobs wait: "Run now" is requested but not run while off.
    const heardBefore = t.logLines.filter((l) => l.includes('fixture-good saw a sign-in')).length;
    await t.services.events.emit('user.login', { userId: 1, kind: 'staff' });
    expect(t.logLines.filter((l) => l.includes('fixture-good saw a sign-in')).length).toBe(heardBefore);
    await t.services.jobs.runNow('fixture-good.tidy');
    expect((await t.services.jobs.tick()).runs.map((r) => r.jobId)).not.toContain('fixture-good.tidy');

    t.services.plugins.setRuntimeEnabled('fixture-good', true);
    expect((await admin.get('/admin/fixture-good')).status).toBe(200);
    expect((await t.services.jobs.tick()).runs.map((r) => r.jobId)).toContain('fixture-good.tidy');
    await t.services.events.emit('user.login', { userId: 1, kind: 'staff' });
    expect(t.logLines.filter((l) => l.includes('fixture-good saw a sign-in')).length).toBe(heardBefore + 1);
    const again = await admin.get('/admin');
    expect(again.$('nav.side-nav a[href="/admin/fixture-good"]').length).toBe(1);
  });

  it('answers a route that throws with the 500 page and a log line naming the plugin, and keeps other routes working', async () => {
    t = await createTestApp({ plugins: [fixtureGood, hello()] });
    const admin = await signedInAdmin(t);
    const boom = await admin.get('/admin/fixture-good/boom');
    expect(boom.status).toBe(500);
    expect(boom.$('h1').text()).toContain('Something went wrong');
    expect(boom.html).not.toContain('fixture-good route exploded');
    const logged = t.logLines.map((l) => JSON.parse(l) as { msg: string; plugin?: string; err?: { message?: string } }).find((l) => l.msg === 'plugin route failed');
    expect(logged).toMatchObject({ plugin: 'fixture-good', err: { message: 'fixture-good route exploded' } });
    expect((await admin.get('/admin/fixture-good')).status).toBe(200);
    expect((await admin.get('/admin/hello')).status).toBe(200);
  });

  it('runs every other event listener when one of them throws', async () => {
    const heard: string[] = [];
    const listener = (name: string, fail: boolean) =>
      definePlugin({
        meta: { name, version: '1.0.0', apiVersion: '^1.0.0' },
        register(ctx) {
          ctx.events.on('user.login', (e) => {
            if (fail) throw new Error(`${name} cannot cope`);
            heard.push(`${name}:${e.userId}`);
          });
        },
      });
    t = await createTestApp({ plugins: [listener('early-ear', false), listener('noisy-ear', true), listener('late-ear', false)] });
    const result = await t.services.events.emit('user.login', { userId: 7, kind: 'staff' });
    expect(result.failed).toEqual(['noisy-ear']);
    expect(heard).toEqual(['early-ear:7', 'late-ear:7']);
    const logged = t.logLines.map((l) => JSON.parse(l) as { msg: string; plugin?: string }).find((l) => l.msg === 'event listener failed');
    expect(logged).toMatchObject({ plugin: 'noisy-ear' });
    // A real sign-in emits the event too, and still succeeds.
    await signedInAdmin(t);
    expect(heard.filter((h) => h.startsWith('late-ear:'))).toHaveLength(2);
  });
});

describe('plugin loading', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
  });

  it('ignores falsy entries in the plugin list', async () => {
    t = await createTestApp({ plugins: [false, null, undefined, 0, '', fixtureGood] });
    expect(t.plugins.map((p) => [p.name, p.state])).toEqual([['fixture-good', 'enabled']]);
  });

  it('registers a plugin after the plugin it depends on, whatever the order in the list', async () => {
    const order: string[] = [];
    const plugin = (name: string, dependsOn: string[]) =>
      definePlugin({ meta: { name, version: '1.0.0', apiVersion: '^1.0.0', dependsOn }, register: () => void order.push(name) });
    t = await createTestApp({ plugins: [plugin('top', ['middle']), plugin('middle', ['base']), plugin('base', [])] });
    expect(order).toEqual(['base', 'middle', 'top']);
    expect(t.plugins.map((p) => p.state)).toEqual(['enabled', 'enabled', 'enabled']);
  });

  it('disables in cascade a plugin whose dependency failed its meta checks', async () => {
    const dependent = definePlugin({ meta: { name: 'needs-bad-range', version: '1.0.0', apiVersion: '^1.0.0', dependsOn: ['bad-api-range'] }, register() {} });
    t = await createTestApp({ plugins: [fixture('bad-api-range'), dependent] });
    // bad-api-range is listed, so the dependency is not missing: it failed, and this one follows it.
    expect(entry(t.plugins, 'needs-bad-range')).toMatchObject({ state: 'failed', phase: 'dependencies', code: E.DEPENDENCY_FAILED });
  });

  it('refuses a second plugin that claims the same table prefix', async () => {
    const withPrefix = (name: string) => definePlugin({ meta: { name, version: '1.0.0', apiVersion: '^1.0.0', tablePrefix: 'shared' }, register() {} });
    t = await createTestApp({ plugins: [withPrefix('first-owner'), withPrefix('second-owner')] });
    expect(entry(t.plugins, 'first-owner').state).toBe('enabled');
    expect(entry(t.plugins, 'second-owner')).toMatchObject({ state: 'failed', phase: 'meta', code: E.DUPLICATE });
  });

  it('refuses a plugin whose register() registers one job id twice, leaving nothing behind', async () => {
    const twice = definePlugin({
      meta: { name: 'job-twice', version: '1.0.0', apiVersion: '^1.0.0' },
      register(ctx) {
        const r = createRouter();
        r.get('/', (c) => c.text('no'));
        ctx.routes.admin(r);
        ctx.jobs.schedule({ id: 'sync', schedule: { everyMs: 1000 }, run: () => undefined });
        ctx.jobs.schedule({ id: 'sync', schedule: { everyMs: 2000 }, run: () => undefined });
      },
    });
    t = await createTestApp({ plugins: [twice] });
    expect(entry(t.plugins, 'job-twice')).toMatchObject({ state: 'failed', phase: 'commit', code: E.CONFLICT });
    expect(routesOf(t, 'job-twice')).toEqual([]);
    expect(t.services.jobs.registeredIds().filter((id) => id.startsWith('job-twice.'))).toEqual([]);
  });

  it('hands a queue handle that refuses work when its plugin was not committed', async () => {
    let handle: { enqueue(p: unknown): Promise<number> } | undefined;
    const plugin = definePlugin({
      meta: { name: 'queue-then-throw', version: '1.0.0', apiVersion: '^1.0.0' },
      register(ctx: PluginContext) {
        handle = ctx.jobs.define({ id: 'work', run: () => undefined });
        throw new Error('changed my mind');
      },
    });
    t = await createTestApp({ plugins: [plugin] });
    await expect(handle!.enqueue({})).rejects.toThrow(/not enabled/);
  });

  it('retries a failing migration on the next boot and fails the same way', async () => {
    t = await createTestApp({ plugins: [fixture('failing-migration')] });
    const again = await restart(t, [fixture('failing-migration')]);
    try {
      expect(entry(again.plugins, 'failing-migration')).toMatchObject({ state: 'failed', code: E.MIGRATION });
      expect(await ledger(t, 'failing_migration')).toEqual([]);
      expect((await listTables(t.db.db)).filter((n) => n.startsWith('failing_migration_'))).toEqual([]);
    } finally {
      await again.close();
    }
  });

  // An upgrade that adds a bad migration must not drop the tables (and data) of earlier releases.
  it('keeps the tables of earlier boots when a new migration breaks the prefix rule', async () => {
    t = await createTestApp({ plugins: [upgrader('v1')] });
    expect(entry(t.plugins, 'upgrader').state).toBe('enabled');
    await t.db.db('upgrader_accounts').insert({ email: 'kept@example.test' });
    const again = await restart(t, [upgrader('v2')]);
    try {
      expect(entry(again.plugins, 'upgrader')).toMatchObject({ state: 'failed', code: E.TABLE_PREFIX });
      const tables = await listTables(t.db.db);
      expect(tables).not.toContain('upgrader_stray_fix');
      expect(tables).not.toContain('accounts_backup');
      expect(await ledger(t, 'upgrader')).toEqual(['20260101000100_accounts']);
      expect(await t.db.db('upgrader_accounts').pluck('email')).toEqual(['kept@example.test']);
    } finally {
      await again.close();
    }
  });
});

describe('plugin settings', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
  });

  it('resolve as defaults ← config options ← saved values', async () => {
    t = await createTestApp({ plugins: [hello({ greeting: 'From config' })] });
    expect(t.services.plugins.settingsOf('hello')).toMatchObject({ greeting: 'From config', maxGreetingsShown: 50 });

    const saved = await t.services.settings.savePluginSettings('hello', helloSettings as never, { greeting: 'From config' }, { maxGreetingsShown: 7 });
    expect(saved.ok).toBe(true);
    const afterSave = await restart(t, [hello({ greeting: 'From config' })]);
    try {
      expect(afterSave.services.plugins.settingsOf('hello')).toMatchObject({ greeting: 'From config', maxGreetingsShown: 7 });
    } finally {
      await afterSave.close();
    }

    await t.services.settings.savePluginSettings('hello', helloSettings as never, { greeting: 'From config' }, { greeting: 'Saved in the UI', maxGreetingsShown: 7 });
    const afterSecondSave = await restart(t, [hello({ greeting: 'From config' })]);
    try {
      expect(afterSecondSave.services.plugins.settingsOf('hello')).toMatchObject({ greeting: 'Saved in the UI', maxGreetingsShown: 7 });
    } finally {
      await afterSecondSave.close();
    }
  });

  it('store secret fields encrypted and never echo them on the settings page', async () => {
    const token = 'whk_live_5f0c1e7a9b2d4c6e8f00';
    t = await createTestApp({ plugins: [hello()] });
    const admin = await signedInAdmin(t);
    const before = await admin.get('/admin/system/plugins/hello/settings');
    expect(before.status).toBe(200);
    expect(before.html).toContain('No value saved yet.');

    const post = await admin.post('/admin/system/plugins/hello/settings', { greeting: 'Hi', maxGreetingsShown: '20', webhookToken: token });
    expect(post.status).toBe(303);

    const raw = (await t.db.db('core_settings').where({ key: SettingsStore.pluginKey('hello') }).first()) as { value: string };
    expect(raw.value).not.toContain(token);
    expect(JSON.parse(raw.value)).toMatchObject({ greeting: 'Hi', maxGreetingsShown: 20, webhookToken: expect.any(String) });

    // Saved settings take effect at the next start; the restarted panel must not echo the secret either.
    expect((await admin.get('/admin/system/plugins/hello/settings')).html).not.toContain(token);
    const restarted = await restart(t, [hello()]);
    try {
      expect(restarted.services.plugins.settingsOf('hello')).toMatchObject({ greeting: 'Hi', maxGreetingsShown: 20, webhookToken: token });
      const agent = new Agent(restarted.app.request.bind(restarted.app));
      await agent.login('staff', ADMIN);
      const page = await agent.get('/admin/system/plugins/hello/settings');
      expect(page.status).toBe(200);
      expect(page.html).not.toContain(token);
      expect(page.$('input[name="webhookToken"]').attr('value') ?? '').toBe('');
      expect(page.$('input[name="greeting"]').attr('value')).toBe('Hi');
      expect(page.html).toContain('A value is saved; leave blank to keep it.');

      // Leaving the secret blank keeps it.
      expect((await agent.post('/admin/system/plugins/hello/settings', { greeting: 'Hi again', maxGreetingsShown: '20', webhookToken: '' })).status).toBe(303);
    } finally {
      await restarted.close();
    }
    const again = await restart(t, [hello()]);
    try {
      expect(again.services.plugins.settingsOf('hello')).toMatchObject({ greeting: 'Hi again', webhookToken: token });
    } finally {
      await again.close();
    }
  });
});

describe('a third-party plugin installed from npm', () => {
  const projectDir = path.join(REPO_ROOT, 'test/fixtures/npm-project');
  let t: TestApp | undefined;
  let other: TrellisApp | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
    await t?.destroy();
    t = undefined;
  });

  async function bootProject(env: Record<string, string>, pluginConfig?: { plugins: PluginConfigEntry[] }): Promise<TrellisApp> {
    t = await createTestApp();
    const config = loadConfig({ TRELLIS_DATA_DIR: t.db.dir, TRELLIS_SECRET_KEY: TEST_SECRET_KEY, TRELLIS_LOG_LEVEL: 'silent', ...env });
    other = await createApp({ config, db: t.db.db, clock: t.clock, log: silentLogger, ...(pluginConfig ? { pluginConfig, configDir: projectDir } : {}) });
    return other;
  }

  it("loads by its bare name from the config's node_modules, with the options given in plugin.config.ts", async () => {
    const app = await bootProject({ TRELLIS_CONFIG: path.join(projectDir, 'plugin.config.ts') });
    expect(entry(app.plugins, 'sample')).toMatchObject({ state: 'enabled', version: '1.2.0', source: 'trellis-plugin-sample', routes: ['admin'], jobs: ['sample.ping'] });
    expect(app.services.plugins.settingsOf('sample')).toEqual({ greeting: 'Ahoy', shout: false });
    await t!.createUser('staff', ADMIN);
    const agent = new Agent(app.app.request.bind(app.app));
    await agent.login('staff', ADMIN);
    const page = await agent.get('/admin/sample');
    expect(page.status).toBe(200);
    expect(page.html).toBe('Ahoy from trellis-plugin-sample (factory saw {"greeting":"Ahoy","shout":false})');
  });

  it('uses its defaults when listed by name alone', async () => {
    const app = await bootProject({}, { plugins: ['trellis-plugin-sample'] });
    expect(entry(app.plugins, 'sample').state).toBe('enabled');
    expect(app.services.plugins.settingsOf('sample')).toEqual({ greeting: 'Hello', shout: false });
  });

  it('is reported as an import failure when the package is not installed', async () => {
    const app = await bootProject({}, { plugins: ['trellis-plugin-not-installed'] });
    expect(entry(app.plugins, 'trellis-plugin-not-installed')).toMatchObject({ state: 'failed', phase: 'import', code: E.IMPORT });
  });
});

describe('plugin API 1.1: processing modules and item types', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
  });

  it('registers a plugin processing module and its item type, and refuses a module name already taken', async () => {
    const good = definePlugin({
      meta: { name: 'upstream-x', version: '1.0.0', apiVersion: '^1.1.0' },
      register(ctx) {
        ctx.billing.itemType({ id: 'widget', name: 'Widgets' });
        ctx.processing.register({ name: 'upstream-x', title: 'Upstream X', features: ['open'], open: async () => ({ externalId: 'x-1' }) });
      },
    });
    const clash = definePlugin({
      meta: { name: 'clash', version: '1.0.0', apiVersion: '^1.1.0' },
      register(ctx) {
        ctx.menu.add({ area: 'admin', section: 'services', id: 'c', label: 'Clash', href: '/' });
        ctx.processing.register({ name: 'manual', title: 'Another manual', features: [] });
      },
    });
    t = await createTestApp({ plugins: [good, clash] });
    expect(t.services.processing.module('upstream-x')?.title).toBe('Upstream X');
    expect(await t.services.db('core_item_types').where({ id: 'widget' }).first()).toMatchObject({ name: 'Widgets', owner: 'upstream-x', enabled: expect.anything() });
    const report = t.plugins.find((p) => p.name === 'clash')!;
    expect(report).toMatchObject({ state: 'failed', code: E.CONFLICT });
    expect(t.services.menu.entries('clash')).toEqual([]);
    expect(t.services.processing.module('manual')?.title).not.toBe('Another manual');
  });
});
