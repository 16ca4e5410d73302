// What happens to each demo service over the simulated months: its package, when it is ordered, how
// its invoices get paid, what staff or the client do to it. A "fate" names the status (and invoice
// states) it should end in; timing-sensitive fates are placed so that the billing automation itself
// (renewals, dunning, suspension, termination, expiry) brings them there by the last day.
import { addDays, daysBetween, periodEnd } from '../billing/services/periods.ts';
import type { DemoCatalog, DemoPackage } from './catalog.ts';
import type { Random } from './people.ts';

export type Pay =
  /** Pays every invoice `lag` days after it is issued. */
  | { kind: 'prompt'; lag: number }
  /** Pays orders at once, renewals `lag` days after they fall due (after the suspension for non-payment). */
  | { kind: 'late'; lag: number }
  /** Pays like `prompt` what is issued before day `from`, nothing after. */
  | { kind: 'stop'; lag: number; from: number }
  | { kind: 'never' }
  /** Pays with an overpayment that goes to credit; renewals come out of the credit balance. */
  | { kind: 'credit'; lag: number };

export type Action =
  | 'suspend_staff'
  | 'suspend_client'
  | 'resume'
  | 'terminate'
  | 'fraud'
  | 'transfer'
  | 'refund_order'
  | 'collections'
  | 'cancel_order'
  | 'no_autorenew'
  | 'ticket';

export interface PlannedEvent {
  day: number;
  /** morning: before the day's jobs; evening: after staff worked through the operations queue. */
  when: 'morning' | 'evening';
  action: Action;
}

export type Fate =
  | 'active'
  | 'credit'
  | 'late'
  | 'stop'
  | 'never'
  | 'pending'
  | 'in_progress'
  | 'suspended_staff'
  | 'suspended_client'
  | 'suspended_nonpayment'
  | 'terminated'
  | 'refunded'
  | 'unpaid_cancelled'
  | 'cancel_order'
  | 'expired'
  | 'pending_renewal'
  | 'domain_renewed'
  | 'domain_recent'
  | 'transferred'
  | 'failed'
  | 'fraud'
  | 'trial'
  | 'vds';

export interface ServicePlan {
  fate: Fate;
  packageKey: string;
  periodKey: string;
  addons?: Record<string, string>;
  orderDay: number;
  pay: Pay;
  /** What staff do with the set-up operation: complete it, leave it waiting, or record that it failed. */
  open: 'complete' | 'hold' | 'fail';
  /** Card through the test gateway, or a bank transfer staff record. */
  method: 'card' | 'bank';
  events: PlannedEvent[];
}

/** Every fate the showcase clients get one of, so each service and invoice state exists even in a small demo. */
export const SHOWCASE: Fate[] = [
  'active', 'credit', 'late', 'pending', 'in_progress', 'suspended_staff', 'suspended_client', 'suspended_nonpayment', 'terminated',
  'refunded', 'unpaid_cancelled', 'cancel_order', 'expired', 'pending_renewal', 'domain_renewed', 'transferred', 'failed', 'fraud', 'trial',
];

/** How often each fate comes up among the other clients' services. */
const RANDOM_FATES: (readonly [Fate, number])[] = [
  ['active', 40], ['vds', 8], ['late', 8], ['stop', 8], ['never', 4], ['suspended_staff', 2], ['suspended_client', 2], ['domain_renewed', 4],
  ['domain_recent', 8], ['pending_renewal', 2], ['expired', 2], ['transferred', 1], ['fraud', 1], ['failed', 1], ['trial', 2], ['refunded', 1],
  ['cancel_order', 1], ['in_progress', 1], ['pending', 2], ['terminated', 2],
];

export interface Timeline {
  /** The first simulated day (day 0), YYYY-MM-DD. */
  start: string;
  /** The index of the last day: the app clock's today. */
  last: number;
}

export function dayDate(t: Timeline, day: number): string {
  return addDays(t.start, day);
}

export function dayIndex(t: Timeline, date: string): number {
  return daysBetween(t.start, date);
}

/**
 * The order day (within [min, max]) whose k-th expiry lands closest to `target`, given that the
 * order is paid `lag` days later and set up the same day (the first period starts then).
 */
function orderDayFor(t: Timeline, pkg: DemoPackage, periodKey: string, target: number, k: number, lag: number, min = 0, max = t.last): number {
  const period = pkg.periods[periodKey]!;
  let best = Math.max(0, min);
  let bestDiff = Number.POSITIVE_INFINITY;
  for (let day = Math.max(0, min); day <= max; day++) {
    let e = dayDate(t, day + lag);
    for (let i = 0; i < k; i++) e = periodEnd(e, period.kind, period.length)!;
    const diff = Math.abs(dayIndex(t, e) - target);
    if (diff < bestDiff) {
      best = day;
      bestDiff = diff;
    }
  }
  return best;
}

/** The day the k-th period after an order on `orderDay` (paid `lag` days later) ends. */
export function expiryDay(t: Timeline, pkg: DemoPackage, periodKey: string, orderDay: number, k: number, lag: number): number {
  const period = pkg.periods[periodKey]!;
  let e = dayDate(t, orderDay + lag);
  for (let i = 0; i < k; i++) e = periodEnd(e, period.kind, period.length)!;
  return dayIndex(t, e);
}

const clamp = (n: number, min: number, max: number) => Math.max(min, Math.min(max, n));

/**
 * The plan for one service of a fate. `rnd` varies packages and days; the timing of fates that must
 * end in a given state is computed from the billing settings' defaults (renewal 14 days before
 * expiry, suspension 7 days and termination 30 days after the due date, order invoices cancelled 60
 * days after theirs, 7-day payment terms).
 */
export function planFor(fate: Fate, rnd: Random, t: Timeline, catalog: DemoCatalog): ServicePlan {
  const H = t.last;
  const pk = catalog.packages;
  const method = rnd.chance(0.7) ? 'card' : 'bank';
  const base = { method, open: 'complete', events: [] } as Pick<ServicePlan, 'method' | 'open' | 'events'>;
  const hosting = () => rnd.pick(['hosting-start', 'hosting-start', 'hosting-business']);
  const vdsAddons = (): Record<string, string> => ({ os: rnd.pick(['debian-12', 'ubuntu-24.04', 'almalinux-9', 'windows-2022']), backup: rnd.chance(0.5) ? '1' : '0', ipv4: String(rnd.int(1, 3)) });
  const recentOrder = (maxAge: number, minAge = 5) => clamp(H - rnd.int(minAge, maxAge), 0, H);
  // Orders lean towards recent months: a panel grows.
  const anyOrder = (minAge = 20) => clamp(H - minAge - Math.floor(Math.pow(rnd.next(), 1.6) * (H - minAge)), 0, H);
  const lag = () => rnd.weighted([[0, 4], [1, 3], [2, 2], [3, 1]] as const);

  switch (fate) {
    case 'active':
      return { ...base, fate, packageKey: hosting(), periodKey: rnd.chance(0.8) ? '1m' : '12m', orderDay: anyOrder(), pay: { kind: 'prompt', lag: lag() } };
    case 'vds':
      return { ...base, fate, packageKey: 'vds-m', periodKey: rnd.weighted([['1m', 6], ['3m', 2], ['12m', 1]] as const), addons: vdsAddons(), orderDay: anyOrder(), pay: { kind: 'prompt', lag: lag() } };
    case 'credit':
      return { ...base, fate, method: 'bank', packageKey: 'hosting-business', periodKey: '1m', orderDay: anyOrder(60), pay: { kind: 'credit', lag: lag() } };
    case 'late':
      return { ...base, fate, packageKey: 'hosting-start', periodKey: '1m', orderDay: anyOrder(100), pay: { kind: 'late', lag: rnd.int(8, 12) } };
    case 'stop': {
      const orderDay = anyOrder(60);
      return { ...base, fate, packageKey: hosting(), periodKey: '1m', orderDay, pay: { kind: 'stop', lag: lag(), from: rnd.int(orderDay + 20, H) } };
    }
    case 'never':
      return { ...base, fate, packageKey: hosting(), periodKey: '1m', orderDay: anyOrder(5), pay: { kind: 'never' } };
    case 'pending':
      return { ...base, fate, packageKey: 'hosting-business', periodKey: '1m', orderDay: recentOrder(4, 1), pay: { kind: 'never' } };
    case 'in_progress':
      return { ...base, fate, open: 'hold', packageKey: 'vds-m', periodKey: '1m', addons: vdsAddons(), orderDay: recentOrder(3, 1), pay: { kind: 'prompt', lag: 0 } };
    case 'suspended_staff': {
      const orderDay = recentOrder(200, 60);
      return { ...base, fate, packageKey: 'hosting-start', periodKey: '12m', orderDay, pay: { kind: 'prompt', lag: lag() }, events: [{ day: clamp(H - rnd.int(10, 40), orderDay + 10, H - 1), when: 'morning', action: 'suspend_staff' }] };
    }
    case 'suspended_client': {
      const orderDay = recentOrder(150, 40);
      const day = clamp(H - rnd.int(5, 25), orderDay + 10, H - 1);
      return {
        ...base, fate, packageKey: 'vds-m', periodKey: '3m', addons: vdsAddons(), orderDay, pay: { kind: 'prompt', lag: lag() },
        events: [{ day, when: 'morning', action: 'ticket' }, { day, when: 'morning', action: 'suspend_client' }],
      };
    }
    case 'suspended_nonpayment': {
      // The k-th renewal falls due ~16 days before the end: suspended 7 days later, terminated only after 30.
      const target = H - rnd.int(12, 20);
      const k = 2;
      const orderDay = orderDayFor(t, pk['hosting-start']!, '1m', target, k, 0);
      const due = expiryDay(t, pk['hosting-start']!, '1m', orderDay, k, 0);
      return { ...base, fate, packageKey: 'hosting-start', periodKey: '1m', orderDay, pay: { kind: 'stop', lag: 0, from: due - 14 } };
    }
    case 'terminated': {
      // Due ~45–55 days before the end: suspended, terminated 30 days after the due date, the invoice sent to collections.
      const target = H - rnd.int(45, 55);
      const orderDay = orderDayFor(t, pk['hosting-business']!, '1m', target, 2, 0);
      const due = expiryDay(t, pk['hosting-business']!, '1m', orderDay, 2, 0);
      return { ...base, fate, packageKey: 'hosting-business', periodKey: '1m', orderDay, pay: { kind: 'stop', lag: 0, from: due - 14 }, events: [{ day: clamp(due + 33, 0, H - 1), when: 'evening', action: 'collections' }] };
    }
    case 'refunded': {
      // Ordered for a year, cancelled within the 30-day money-back period, the payment refunded to credit.
      const orderDay = recentOrder(40, 20);
      const cancel = clamp(orderDay + rnd.int(8, 15), 0, H - 2);
      return {
        ...base, fate, packageKey: 'hosting-start', periodKey: '12m', orderDay, pay: { kind: 'prompt', lag: 0 },
        events: [{ day: cancel, when: 'morning', action: 'terminate' }, { day: cancel + 1, when: 'morning', action: 'refund_order' }],
      };
    }
    case 'unpaid_cancelled':
      // Never paid; the order invoice is cancelled 60 days after its due date, and the service with it.
      return { ...base, fate, packageKey: hosting(), periodKey: '1m', orderDay: clamp(H - rnd.int(80, 120), 0, H), pay: { kind: 'never' } };
    case 'cancel_order': {
      const orderDay = recentOrder(40, 10);
      return { ...base, fate, packageKey: 'domain-com', periodKey: '12m', orderDay, pay: { kind: 'never' }, events: [{ day: orderDay + 3, when: 'morning', action: 'cancel_order' }] };
    }
    case 'expired':
    case 'pending_renewal': {
      // A yearly domain whose renewal is not paid: "pending renewal" once the invoice is out, "expired" after the expiry date.
      const key = rnd.chance(0.7) ? 'domain-com' : 'domain-ru';
      const target = fate === 'expired' ? H - rnd.int(3, 25) : H + rnd.int(3, 12);
      const orderDay = orderDayFor(t, pk[key]!, '12m', target, 1, 0);
      const expiry = expiryDay(t, pk[key]!, '12m', orderDay, 1, 0);
      return { ...base, fate, packageKey: key, periodKey: '12m', orderDay, pay: { kind: 'stop', lag: 0, from: expiry - 14 } };
    }
    case 'domain_renewed': {
      // Old enough for one renewal within the history (when there is one).
      const maxOrder = Math.max(0, H - 380);
      return { ...base, fate, packageKey: rnd.chance(0.7) ? 'domain-com' : 'domain-ru', periodKey: '12m', orderDay: rnd.int(0, maxOrder), pay: { kind: 'prompt', lag: lag() } };
    }
    case 'domain_recent': {
      const key = rnd.chance(0.7) ? 'domain-com' : 'domain-ru';
      return { ...base, fate, packageKey: key, periodKey: key === 'domain-com' && rnd.chance(0.2) ? '24m' : '12m', orderDay: clamp(anyOrder(5), Math.max(0, H - 340), H), pay: { kind: 'prompt', lag: lag() } };
    }
    case 'transferred': {
      const orderDay = clamp(anyOrder(60), Math.max(0, H - 330), H - 40);
      return { ...base, fate, packageKey: 'domain-com', periodKey: '12m', orderDay, pay: { kind: 'prompt', lag: lag() }, events: [{ day: clamp(orderDay + rnd.int(20, 200), orderDay + 10, H - 1), when: 'morning', action: 'transfer' }] };
    }
    case 'failed':
      return { ...base, fate, open: 'fail', packageKey: 'vds-m', periodKey: '1m', addons: vdsAddons(), orderDay: recentOrder(20, 4), pay: { kind: 'prompt', lag: 0 } };
    case 'fraud': {
      const orderDay = recentOrder(30, 3);
      return { ...base, fate, packageKey: 'vds-m', periodKey: '1m', addons: { ...vdsAddons(), ipv4: '8' }, orderDay, pay: { kind: 'never' }, events: [{ day: orderDay + 1, when: 'morning', action: 'fraud' }] };
    }
    case 'trial': {
      // A 14-day trial still running: free, opened at once; auto-renew off (a trial renews as a trial otherwise).
      const orderDay = recentOrder(10, 2);
      return { ...base, fate, packageKey: 'hosting-start', periodKey: 'trial', orderDay, pay: { kind: 'prompt', lag: 0 }, events: [{ day: orderDay, when: 'evening', action: 'no_autorenew' }] };
    }
  }
}

/** The services of one random client: one to three, all paying from credit if the first does. */
export function randomPlans(rnd: Random, t: Timeline, catalog: DemoCatalog): ServicePlan[] {
  if (rnd.chance(0.08)) return Array.from({ length: rnd.int(1, 2) }, () => planFor('credit', rnd, t, catalog));
  const n = rnd.weighted([[1, 5], [2, 3], [3, 2]] as const);
  return Array.from({ length: n }, () => planFor(rnd.weighted(RANDOM_FATES), rnd, t, catalog));
}

/**
 * The demo client's own services (client@demo.test): a long-running hosting plan, a VDS with add-ons,
 * a domain whose renewal invoice is waiting to be paid, a new order to pay, and a yearly plan
 * cancelled and refunded to credit a few days ago.
 */
export function demoClientPlans(t: Timeline, catalog: DemoCatalog): ServicePlan[] {
  const H = t.last;
  const base = { open: 'complete', events: [] } as Pick<ServicePlan, 'open' | 'events'>;
  const domainOrder = orderDayFor(t, catalog.packages['domain-com']!, '12m', H + 6, 1, 0);
  const domainExpiry = expiryDay(t, catalog.packages['domain-com']!, '12m', domainOrder, 1, 0);
  const refundOrder = clamp(H - 35, 0, H);
  return [
    { ...base, fate: 'active', method: 'card', packageKey: 'hosting-business', periodKey: '1m', orderDay: clamp(H - 300, 0, H), pay: { kind: 'prompt', lag: 1 } },
    { ...base, fate: 'vds', method: 'card', packageKey: 'vds-m', periodKey: '1m', addons: { os: 'ubuntu-24.04', backup: '1', ipv4: '2' }, orderDay: clamp(H - 150, 0, H), pay: { kind: 'prompt', lag: 0 } },
    { ...base, fate: 'pending_renewal', method: 'card', packageKey: 'domain-com', periodKey: '12m', orderDay: domainOrder, pay: { kind: 'stop', lag: 0, from: domainExpiry - 14 } },
    {
      ...base, fate: 'refunded', method: 'bank', packageKey: 'hosting-start', periodKey: '12m', orderDay: refundOrder, pay: { kind: 'prompt', lag: 0 },
      // After the domain's renewal invoice is out, so the refunded credit does not pay it.
      events: [{ day: H - 4, when: 'morning', action: 'terminate' }, { day: H - 3, when: 'morning', action: 'refund_order' }, { day: H - 2, when: 'morning', action: 'ticket' }],
    },
    { ...base, fate: 'pending', method: 'card', packageKey: 'hosting-start', periodKey: '1m', orderDay: clamp(H - 1, 0, H), pay: { kind: 'never' } },
  ];
}
