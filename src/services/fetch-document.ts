/**
 * The provider's fetch of documents that clients point it at (sector_identifier_uri,
 * request_uri). Same signature as the platform's outbound-request policy
 * (`outboundFetch` in src/outbound/), which replaces this body at merge: https only,
 * no redirects, bounded in time and size. Until then internal address literals are
 * refused here; a DNS name that resolves to an internal address is not (outboundFetch
 * checks the address at connect time).
 */
export interface FetchDocumentOptions {
  /** What the fetch is for (logs and metrics of the outbound policy). */
  purpose: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  maxBytes?: number;
  redirect?: 'error' | 'manual';
}

export interface FetchedDocument {
  status: number;
  headers: Headers;
  body: Buffer;
  url: string;
}

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

/** Loopback, private, link-local and unspecified address literals (and localhost names). */
export function isInternalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^(127\.|10\.|192\.168\.|169\.254\.|0\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host)) return true;
  if (/^(::1?|f[cd][0-9a-f]{2}:.*|fe[89ab][0-9a-f]:.*|::ffff:.*)$/i.test(host)) return true;
  return false;
}

/**
 * https to a public host; plain http only to 127.0.0.1 when NODE_ENV=test, so tests can
 * serve documents from local receivers.
 */
function checkUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchDocumentError('url', 'not an absolute URL');
  }
  if (url.protocol === 'http:' && url.hostname === '127.0.0.1' && process.env.NODE_ENV === 'test') return url;
  if (url.protocol !== 'https:') throw new FetchDocumentError('url', 'not an https URL');
  if (isInternalHost(url.hostname)) throw new FetchDocumentError('url', 'an internal address');
  return url;
}

export async function fetchDocument(raw: string, opts: FetchDocumentOptions): Promise<FetchedDocument> {
  const url = checkUrl(raw);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(url, { method: opts.method ?? 'GET', headers: opts.headers, body: opts.body, redirect: opts.redirect ?? 'error', signal });
  } catch (err) {
    if (signal.aborted) throw new FetchDocumentError('timeout', 'the server did not answer in time');
    throw new FetchDocumentError('network', `the fetch failed: ${(err as Error).message}`);
  }
  const declared = Number(res.headers.get('content-length') ?? 'NaN');
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new FetchDocumentError('too_large', 'the document is too large');
  }
  // Count while reading: a missing or false content-length must not let a body grow unbounded.
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new FetchDocumentError('too_large', 'the document is too large');
      }
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (err) {
    if (err instanceof FetchDocumentError) throw err;
    if (signal.aborted) throw new FetchDocumentError('timeout', 'the server did not answer in time');
    throw new FetchDocumentError('network', `reading the document failed: ${(err as Error).message}`);
  }
  return { status: res.status, headers: res.headers, body: Buffer.concat(chunks), url: res.url || url.href };
}
