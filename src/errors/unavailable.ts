/**
 * The one mapping of "the database is away" (store/errors.ts isStoreUnavailable) to the
 * protocol answer every surface gives: 503 temporarily_unavailable with Retry-After
 * (docs/operations.md).
 */
import { resilienceDefaults } from '../config/defaults.js';
import { isStoreUnavailable } from '../store/errors.js';
import { oauthError, type OAuthError } from './oauth-error.js';

export const RETRY_AFTER = String(resilienceDefaults.retryAfterSeconds);

/** 503 temporarily_unavailable with Retry-After; it may travel to a trusted redirect URI. */
export function temporarilyUnavailable(): OAuthError {
  const err = oauthError('temporarily_unavailable', 'the service is temporarily unavailable, try again shortly');
  err.headers['Retry-After'] = RETRY_AFTER;
  return err;
}

/** The outage answer for `err`, or undefined when it is not an outage. */
export function outageError(err: unknown): OAuthError | undefined {
  return isStoreUnavailable(err) ? temporarilyUnavailable() : undefined;
}

export { isStoreUnavailable };
