import { outboundFetch, OutboundError, type OutboundResponse } from './index.js';

/**
 * The provider's fetch of documents that clients point it at (sector_identifier_uri,
 * request_uri), through the platform's outbound-request policy (src/outbound/,
 * docs/security.md): https only, internal addresses refused at connect time, no
 * redirects, bounded in time and size. Failures become FetchDocumentError, which the
 * callers map to their own protocol error.
 */
export interface FetchDocumentOptions {
  /** What the fetch is for (errors and logs of the outbound policy name it). */
  purpose: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  maxBytes?: number;
}

export type FetchedDocument = OutboundResponse;

/** Why a fetch failed; callers map any failure to their own protocol error. */
export class FetchDocumentError extends Error {
  constructor(
    readonly reason: 'url' | 'timeout' | 'too_large' | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'FetchDocumentError';
  }
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BYTES = 64 * 1024;

const reasons: Record<OutboundError['code'], FetchDocumentError['reason']> = {
  ERR_OUTBOUND_FORBIDDEN: 'url',
  ERR_OUTBOUND_REDIRECT: 'network',
  ERR_OUTBOUND_TIMEOUT: 'timeout',
  ERR_OUTBOUND_TOO_LARGE: 'too_large',
  ERR_OUTBOUND_NETWORK: 'network',
};

export async function fetchDocument(url: string, opts: FetchDocumentOptions): Promise<FetchedDocument> {
  try {
    return await outboundFetch(url, {
      purpose: opts.purpose,
      method: opts.method,
      headers: opts.headers,
      body: opts.body,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
      redirect: 'error',
    });
  } catch (err) {
    if (err instanceof OutboundError) throw new FetchDocumentError(reasons[err.code], err.message);
    throw err;
  }
}

/** The refusal wording both document fetchers use (it never echoes the URL or the address). */
export function whyFetchFailed(err: unknown): string {
  const reason = err instanceof FetchDocumentError ? err.reason : 'network';
  if (reason === 'url') return 'must be a public https URL';
  if (reason === 'too_large') return 'answered a document that is too large';
  if (reason === 'timeout') return 'did not answer in time';
  return 'could not be fetched';
}
