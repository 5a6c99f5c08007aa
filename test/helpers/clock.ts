/**
 * The test servers' clock: real time plus an offset that tests move forward, the way
 * Keycloak's time offset works (docs/operations.md, "Time in tests"). Everything that
 * expires or is scheduled in src reads `rt.clock`, so a test that needs an hour to pass
 * calls `clock.advance(3_600_000)` instead of sleeping.
 */
export { OffsetClock as TestClock } from '../../src/time/clock.js';
