/**
 * Failed logins per tenant and username (whether or not the user exists, so that the
 * lock-out itself does not reveal which usernames are real).
 */
export interface LoginAttemptRecord {
  _id: string;
  tenantId: string;
  /** Lower-cased username as typed. */
  usernameKey: string;
  failures: number;
  lockedUntil?: Date | null;
  lastFailureAt: Date;
}
