/**
 * The time every expiry, schedule and cut-off is computed from (docs/architecture.md, "Clock").
 *
 * Production uses `systemClock`; the in-process test server gives the runtime a clock that
 * tests move forward (test/helpers/clock.ts), so nothing waits in real time for an expiry.
 * Timers may still use setTimeout/setInterval, but what they compare comes from here.
 * A leaf module: every layer may import it.
 */
export interface Clock {
  /** Milliseconds since the epoch (what `Date.now()` returns). */
  now(): number;
  /** The current time as a Date (for stored timestamps and database comparisons). */
  date(): Date;
  /** Whole seconds since the epoch (JWT `iat`, `exp`, `auth_time`). */
  seconds(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  date: () => new Date(),
  seconds: () => Math.floor(Date.now() / 1000),
};

/** A clock that reads another one and adds an offset (the test clock is one). */
export class OffsetClock implements Clock {
  constructor(
    private offsetMs = 0,
    private readonly base: Clock = systemClock,
  ) {}

  now(): number {
    return this.base.now() + this.offsetMs;
  }

  date(): Date {
    return new Date(this.now());
  }

  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Moves this clock forward (never backward: time that went back would reopen expired things). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('a clock only moves forward');
    this.offsetMs += ms;
  }

  /** How far this clock is ahead of its base. */
  get offset(): number {
    return this.offsetMs;
  }
}
