// PluginHost checks each plugin's shape before it runs, and commits a register() buffer wholly or not at all.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { createRouter, definePlugin, PLUGIN_API_VERSION, type PluginDefinition, type PluginMeta } from './api.ts';
import { PluginErrorCodes as E, type PluginErrorCode, type PluginPhase } from './errors.ts';
import type { PluginReportEntry } from './host.ts';
import brokenViews from '../../test/fixtures/plugins/broken-views/index.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

const meta = (over: Partial<PluginMeta> = {}): PluginMeta => ({ name: 'subject', version: '1.0.0', apiVersion: '^1.0.0', ...over });

async function bootOne(plugin: unknown): Promise<PluginReportEntry> {
  t = await createTestApp({ plugins: [plugin as PluginDefinition] });
  expect(t.plugins).toHaveLength(1);
  return t.plugins[0]!;
}

/** Nothing owned by `owner` is mounted, listed, scheduled, listening or rendered. */
function expectNothingLeft(owner: string): void {
  expect(t!.app.routes.filter((r) => r.path.includes(`/${owner}`))).toEqual([]);
  expect(t!.services.menu.entries(owner)).toEqual([]);
  expect(t!.services.jobs.registeredIds().filter((id) => id.startsWith(`${owner}.`))).toEqual([]);
  expect(t!.services.events.listenerCount(owner)).toBe(0);
  expect(t!.services.slots.count(owner)).toBe(0);
}

describe('meta checks', () => {
  const cases: [string, unknown, PluginPhase, PluginErrorCode][] = [
    ['a value that is not a plugin object', { hello: 'world' }, 'meta', E.INVALID],
    ['a plugin without register()', { meta: meta() }, 'meta', E.INVALID],
    ['a version that is not semver', { meta: meta({ version: 'one' }), register() {} }, 'meta', E.INVALID],
    ['an apiVersion that is not a semver range', { meta: meta({ apiVersion: 'latest please' }), register() {} }, 'meta', E.API_VERSION],
    ['an apiVersion range that excludes this host', { meta: meta({ apiVersion: '>=9.0.0' }), register() {} }, 'meta', E.API_VERSION],
    ['a name with capitals', { meta: meta({ name: 'Subject' }), register() {} }, 'meta', E.NAME],
    ['a reserved name', { meta: meta({ name: 'system' }), register() {} }, 'meta', E.NAME],
    ['the table prefix core', { meta: meta({ tablePrefix: 'core' }), register() {} }, 'meta', E.NAME],
    ['a table prefix starting with knex', { meta: meta({ tablePrefix: 'knex_extra' }), register() {} }, 'meta', E.NAME],
    ['a table prefix that is not snake_case', { meta: meta({ tablePrefix: 'My-Prefix' }), register() {} }, 'meta', E.NAME],
    ['dependsOn that is not a list of names', { meta: { ...meta(), dependsOn: 'hello' }, register() {} }, 'meta', E.INVALID],
    ['a plugin that depends on itself', { meta: meta({ dependsOn: ['subject'] }), register() {} }, 'dependencies', E.DEPENDENCY_CYCLE],
  ];

  it.each(cases)('refuse %s', async (_label, plugin, phase, code) => {
    const r = await bootOne(plugin);
    expect(r).toMatchObject({ state: 'failed', phase, code });
    expect(r.message).toBeTruthy();
  });

  it(`accept a range written against a pre-release of ${PLUGIN_API_VERSION}`, async () => {
    const r = await bootOne(definePlugin({ meta: meta({ apiVersion: '^1.0.0-rc.1' }), register() {} }));
    expect(r.state).toBe('enabled');
  });
});

describe('register()', () => {
  it('that rejects asynchronously disables the plugin with TRELLIS_ERR_PLUGIN_REGISTER', async () => {
    const r = await bootOne(
      definePlugin({
        meta: meta(),
        async register(ctx) {
          ctx.menu.add({ area: 'admin', section: 'services', id: 'x', label: 'X', href: '/' });
          await Promise.resolve();
          throw new Error('upstream said no');
        },
      }),
    );
    expect(r).toMatchObject({ state: 'failed', phase: 'register', code: E.REGISTER });
    expect(r.message).toContain('upstream said no');
    expectNothingLeft('subject');
  });

  it('that throws something other than an Error is still reported with its text', async () => {
    const r = await bootOne({
      meta: meta(),
      register() {
        throw 'a bare string';
      },
    });
    expect(r).toMatchObject({ state: 'failed', code: E.REGISTER });
    expect(r.message).toContain('a bare string');
  });

  it('that rejects after its timeout does not become an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let fail!: () => void;
      const late = new Promise<void>((resolve) => (fail = resolve));
      const r = await bootOne(
        definePlugin({
          meta: meta(),
          registerTimeoutMs: 20,
          async register() {
            await late;
            throw new Error('too late to matter');
          },
        }),
      );
      expect(r).toMatchObject({ state: 'failed', code: E.REGISTER_TIMEOUT });
      fail();
      // Let the rejection and Node's unhandled-rejection check (after microtasks) run.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('renders its own views through ctx.view', async () => {
    let html = '';
    const plugin = definePlugin({
      meta: meta({ name: 'fixture-good' }),
      views: new URL('../../test/fixtures/plugins/fixture-good/views/', import.meta.url),
      register(ctx) {
        const r = createRouter();
        r.get('/', (c) => c.html((html = ctx.view('admin/index', { count: 3 }))));
        ctx.routes.admin(r);
      },
    });
    t = await createTestApp({ plugins: [plugin] });
    await t.createUser('staff', 'v@example.test');
    const agent = t.agent();
    await agent.login('staff', 'v@example.test');
    expect((await agent.get('/admin/fixture-good')).status).toBe(200);
    expect(html).toContain('<p id="fixture-good-count">Items: 3</p>');
  });
});

describe('commit', () => {
  const everything = (extra: (ctx: Parameters<PluginDefinition['register']>[0]) => void) =>
    definePlugin({
      meta: meta(),
      register(ctx) {
        const r = createRouter();
        r.get('/', (c) => c.text('subject'));
        ctx.routes.admin(r);
        ctx.menu.add({ area: 'admin', section: 'services', id: 'main', label: 'Subject', href: '/' });
        ctx.jobs.schedule({ id: 'tick', schedule: { everyMs: 60_000 }, run: () => undefined });
        ctx.events.on('user.login', () => undefined);
        ctx.ui.slot('client.service.detail', () => 'subject');
        extra(ctx);
      },
    });

  it.each([
    ['two admin routers', (ctx: Parameters<PluginDefinition['register']>[0]) => ctx.routes.admin(createRouter()), E.CONFLICT],
    ['one menu entry id twice', (ctx: Parameters<PluginDefinition['register']>[0]) => ctx.menu.add({ area: 'admin', section: 'services', id: 'main', label: 'Again', href: '/again' }), E.CONFLICT],
    ['a queue with the id of its scheduled job', (ctx: Parameters<PluginDefinition['register']>[0]) => void ctx.jobs.define({ id: 'tick', run: () => undefined }), E.CONFLICT],
    ['a job with an invalid cron pattern', (ctx: Parameters<PluginDefinition['register']>[0]) => ctx.jobs.schedule({ id: 'moon', schedule: { cron: 'when the moon is full' }, run: () => undefined }), E.REGISTER],
    ['a queue with maxAttempts 0', (ctx: Parameters<PluginDefinition['register']>[0]) => void ctx.jobs.define({ id: 'q', maxAttempts: 0, run: () => undefined }), E.REGISTER],
    ['a job id with a space', (ctx: Parameters<PluginDefinition['register']>[0]) => ctx.jobs.schedule({ id: 'bad id', schedule: { everyMs: 1000 }, run: () => undefined }), E.REGISTER],
  ])('refuses %s and leaves nothing behind', async (_label, extra, code) => {
    const r = await bootOne(everything(extra));
    expect(r).toMatchObject({ state: 'failed', phase: 'commit', code });
    expectNothingLeft('subject');
  });

  it('refuses a plugin whose views do not compile, and leaves nothing behind', async () => {
    const r = await bootOne(brokenViews);
    expect(r).toMatchObject({ state: 'failed', phase: 'commit', code: E.REGISTER });
    expect(r.message).toContain('do not compile');
    expectNothingLeft('broken-views');
  });

  it('commits all of a healthy buffer and reports what it registered', async () => {
    const r = await bootOne(everything(() => undefined));
    expect(r).toMatchObject({ state: 'enabled', routes: ['admin'], menu: 1, jobs: ['subject.tick'], listeners: 1, slots: ['client.service.detail'] });
    expect(t!.services.menu.entries('subject')).toMatchObject([{ id: 'main', href: '/admin/subject' }]);
    expect(t!.services.jobs.registeredIds()).toContain('subject.tick');
  });
});
