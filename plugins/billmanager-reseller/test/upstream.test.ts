// The BILLmanager calls read leniently: shapes of PROTOCOLS §2 the simulator does not write, period
// codes, balances as panels print them; and the simulator standing alone (`trellis simulate billmanager`).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IspSimulator, SimError, el, listReply } from '../../../core/upstream/ispsystem/simulator/index.ts';
import { ManualClock } from '../../../core/clock.ts';
import { BillmanagerApi, billmgrUrl, parseBalance, WhoisUnavailableError } from '../upstream/billmanager.ts';
import { codeOfTerm, termOfCode } from '../upstream/periods.ts';
import { REPO_ROOT } from '../../../test/helpers/app.ts';

const USER = { username: 'reseller', password: 'pw' };
const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function panel(register: (sim: IspSimulator) => void): Promise<BillmanagerApi> {
  const sim = new IspSimulator({ users: [USER], clock: new ManualClock('2026-03-02T09:00:00Z') });
  register(sim);
  const r = await sim.start();
  running.push(r);
  return new BillmanagerApi({ url: r.url, ...USER, timeoutMs: 2_000 });
}

describe('reading the upstream', () => {
  it('takes a price list in the shape a public calculator reads ([C] S19): numeric item type, costs without period codes', async () => {
    const api = await panel((sim) =>
      sim.func('pricelist.export', () => [
        el('pricelist', null, el('id', null, '2187'), el('itemtype', null, '3'), el('currency', null, 'EUR'), el('price', null, el('period', { cost: '10.00' })), el('itemtypeparam', null, el('id', null, '106'), el('itemtypeparamvalue', null, el('intname', null, 'Debian-12')))),
      ]),
    );
    const [t] = await api.priceList();
    expect(t).toMatchObject({ id: '2187', itemtype: 'vds', currency: 'EUR', periods: [{ code: 1, cost: 1000 }], os: ['Debian-12'], tld: null });
  });

  it('reads the balance wherever dashboard.info puts it, and refuses one it cannot read', async () => {
    expect(parseBalance('1234.56 RUB')).toEqual({ amount: 123456, currency: 'RUB', text: '1234.56 RUB' });
    expect(parseBalance('RUB 1 234,56')).toMatchObject({ amount: 123456, currency: 'RUB' });
    expect(parseBalance('1 234,56 ₽')).toMatchObject({ amount: 123456, currency: 'RUB' });
    expect(parseBalance('-15.00 EUR')).toMatchObject({ amount: -1500, currency: 'EUR' });
    expect(parseBalance('n/a')).toBeNull();
    const api = await panel((sim) => sim.func('dashboard.info', () => [el('elem', null, el('balance', null, 'unknown'))]));
    await expect(api.balance()).rejects.toThrow(/without a readable balance/);
  });

  it('takes "not exist" from a whois as free and a whois error as "Try later"', async () => {
    let down = false;
    const api = await panel((sim) =>
      sim.func('domain.check', (req) => {
        if (down) throw new SimError('whois', 'domain', { msg: 'Try later' });
        return [el('status', null, req.params.domain === 'taken.ru' ? 'busy' : 'not exist')];
      }),
    );
    expect(await api.checkDomain('free.ru')).toBe('free');
    expect(await api.checkDomain('taken.ru')).toBe('busy');
    down = true;
    await expect(api.checkDomain('free.ru')).rejects.toBeInstanceOf(WhoisUnavailableError);
  });

  it('orders events by id and skips rows that name no service', async () => {
    const api = await panel((sim) => sim.func('checkevent', () => listReply([{ id: '7', service: '1002', event: 'open', item_status: '2' }, { id: '5', service: '1001', event: 'open', item_status: '5' }, { id: '6' }])));
    const events = await api.events(0);
    expect(events.map((e) => [e.eventId, e.serviceId, e.status])).toEqual([
      [5, '1001', 5],
      [7, '1002', 2],
    ]);
  });

  it('finds the API under /billmgr when the server URL is a bare host (seed 001 fills it from the name)', () => {
    expect(billmgrUrl('https://my.ru-tld.ru/')).toBe('https://my.ru-tld.ru/billmgr');
    expect(billmgrUrl('https://api.ispsystem.com/manager/billmgr')).toBe('https://api.ispsystem.com/manager/billmgr');
  });

  it('maps BILLmanager period codes to terms and back', () => {
    expect(termOfCode(12)).toEqual({ kind: 'months', length: 12 });
    expect(termOfCode(0)).toEqual({ kind: 'lifetime', length: 0 });
    expect(termOfCode(-50)).toEqual({ kind: 'days', length: 1 });
    expect(termOfCode(-100)).toEqual({ kind: 'trial', length: 14 });
    expect(termOfCode(-7)).toBeNull();
    expect(codeOfTerm('months', 3)).toBe(3);
    expect(codeOfTerm('days', 10)).toBeNull();
  });
});

describe('npx trellis simulate billmanager', () => {
  it('prints its URL and the reseller account, and answers the API', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'core/cli/main.ts'), 'simulate', 'billmanager', '--port', '0', '--balance', '1500'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${text}`)), 20_000);
        child.stdout!.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('In Trellis')) {
            clearTimeout(timer);
            resolve(text);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${text}`)));
      });
      const url = /listening at (http:\/\/127\.0\.0\.1:\d+\/billmgr)/.exec(out)![1]!;
      expect(out).toMatch(/reseller account \(Customer level\): reseller \/ reseller-secret/);
      expect(out).toMatch(/balance: 1500\.00 RUB/);
      const api = new BillmanagerApi({ url, username: 'reseller', password: 'reseller-secret', timeoutMs: 5_000 });
      expect(await api.balance()).toMatchObject({ amount: 150_000, currency: 'RUB' });
      expect((await api.priceList()).map((t) => t.id)).toContain('301');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
