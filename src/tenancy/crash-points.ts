/**
 * Test-only crash points: with NODE_ENV=test and GATEHOUSE_TEST_CRASH_AT=<step>, the
 * process kills itself with SIGKILL when it reaches that step — exactly a `kill -9` at a
 * known place, so the tests of atomic onboarding are deterministic. Ignored otherwise.
 */
export function crashPoint(step: string): void {
  if (process.env.NODE_ENV === 'test' && process.env.GATEHOUSE_TEST_CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
}
