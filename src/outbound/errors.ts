/**
 * Why an outbound request was not made or gave no answer. `code` is stable (callers map
 * it: a refused URL is bad input at configuration time, a refused delivery is not retried).
 */
export type OutboundErrorCode =
  /** The policy refuses the URL or the address it resolves to (scheme, range, redirect target). */
  | 'ERR_OUTBOUND_FORBIDDEN'
  /** A redirect was answered and the caller does not follow redirects (or more than 3 hops). */
  | 'ERR_OUTBOUND_REDIRECT'
  | 'ERR_OUTBOUND_TIMEOUT'
  | 'ERR_OUTBOUND_TOO_LARGE'
  /** DNS, TCP or TLS failure. */
  | 'ERR_OUTBOUND_NETWORK';

export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    /** What the request was for (`jwks_uri`, `event_webhook`, …). */
    readonly purpose: string,
  ) {
    super(message);
  }
}

export const isOutboundError = (err: unknown): err is OutboundError => err instanceof OutboundError;
