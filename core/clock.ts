// The one source of "now": code asks clock.now() so tests and the operator's sandbox can move time.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests and the time-travel sandbox. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  set(at: Date | string): void {
    this.#ms = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }
}

/**
 * The operator's sandbox (TRELLIS_SANDBOX=1): real time plus an offset the admin moves forward to
 * watch renewals, reminders and suspensions happen. The offset is saved by the sandbox page.
 */
export class OffsetClock implements Clock {
  #offsetMs = 0;
  constructor(readonly base: Clock = systemClock) {}
  now(): Date {
    return new Date(this.base.now().getTime() + this.#offsetMs);
  }
  get offsetMs(): number {
    return this.#offsetMs;
  }
  setOffset(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new Error('The sandbox clock only moves forward');
    this.#offsetMs = ms;
  }
  advance(ms: number): void {
    this.setOffset(this.#offsetMs + ms);
  }
}

/** A clock the sandbox page can move forward (ManualClock in tests, OffsetClock in a sandbox panel). */
export function isAdvanceable(clock: Clock): clock is Clock & { advance(ms: number): void } {
  return typeof (clock as { advance?: unknown }).advance === 'function';
}
