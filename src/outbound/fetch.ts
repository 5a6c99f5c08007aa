import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { outboundDefaults } from '../config/defaults.js';
import { checkOutboundUrl } from './check-url.js';
import { OutboundError } from './errors.js';
import { addressVerdict, outboundResolver, outboundSettings, type OutboundSettings } from './policy.js';

export interface OutboundInit {
  /** What the request is for (`jwks_uri`, `event_webhook`, …): errors and logs name it. */
  purpose: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The whole exchange, redirects included (default GATEHOUSE_OUTBOUND_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Largest answer body read (default GATEHOUSE_OUTBOUND_MAX_BYTES). */
  maxBytes?: number;
  /** 'error' (default): a redirect is an ERR_OUTBOUND_REDIRECT; 'follow': up to 3 hops, each checked. */
  redirect?: 'error' | 'follow';
}

export interface OutboundResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The one way the provider calls a URL someone else chose. The URL is checked
 * (check-url.ts); the name is resolved inside the connection's own `lookup`, every
 * address it resolves to is checked, and the socket connects to exactly the checked
 * address: there is no second resolution an attacker's DNS could answer differently
 * (no rebinding window). A fresh connection per request (no pooled sockets). Bounded in
 * time and size; redirects refused, or followed by hand with the same checks per hop.
 */
export async function outboundFetch(url: string | URL, init: OutboundInit): Promise<OutboundResponse> {
  const settings = outboundSettings();
  const timeoutMs = init.timeoutMs ?? settings.timeoutMs;
  const maxBytes = init.maxBytes ?? settings.maxBytes;
  const signal = AbortSignal.timeout(timeoutMs);
  let target = checkOutboundUrl(url, init.purpose);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  let headers: Record<string, string> = { 'user-agent': 'Gatehouse', ...lowerKeys(init.headers ?? {}) };
  for (let hop = 0; ; hop++) {
    const res = await exchange(settings, target, method, headers, body, { signal, timeoutMs, maxBytes, purpose: init.purpose });
    const location = res.headers.get('location');
    if (!REDIRECTS.has(res.status) || !location) return res;
    if (init.redirect !== 'follow')
      throw new OutboundError('ERR_OUTBOUND_REDIRECT', `answered a redirect (HTTP ${res.status}), which is not followed`, init.purpose);
    if (hop >= outboundDefaults.maxRedirects)
      throw new OutboundError('ERR_OUTBOUND_REDIRECT', `more than ${outboundDefaults.maxRedirects} redirects`, init.purpose);
    let next: URL;
    try {
      next = new URL(location, target);
    } catch {
      throw new OutboundError('ERR_OUTBOUND_REDIRECT', 'answered a redirect to an invalid URL', init.purpose);
    }
    next = checkOutboundUrl(next, init.purpose);
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      const { 'content-type': _t, ...rest } = headers;
      headers = rest;
    }
    // Credentials were meant for the first origin only.
    if (next.origin !== target.origin) {
      const { authorization: _a, cookie: _c, ...rest } = headers;
      headers = rest;
    }
    target = next;
  }
}

const lowerKeys = (h: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

/** The connection's resolver: resolves, refuses if ANY address is forbidden, pins the checked ones. */
function pinnedLookup(settings: OutboundSettings, http: boolean, purpose: string, refused: { error?: OutboundError }): LookupFunction {
  return (hostname, options, callback) => {
    const cb = callback as (err: Error | null, address: string | { address: string; family: number }[], family?: number) => void;
    outboundResolver()(hostname).then(
      (found) => {
        for (const a of found) {
          if (addressVerdict(settings, hostname, a.address, { http })) {
            // Not which address: the message reaches tenant admins (delivery logs), and
            // the platform's internal DNS answers are none of their business.
            refused.error = new OutboundError('ERR_OUTBOUND_FORBIDDEN', `${hostname} resolves to an internal address`, purpose);
            return cb(refused.error, '', 0);
          }
        }
        const family = typeof options.family === 'number' && options.family !== 0 ? options.family : null;
        const addrs = family ? found.filter((a) => a.family === family) : found;
        if (!addrs.length) return cb(new OutboundError('ERR_OUTBOUND_NETWORK', `${hostname} does not resolve`, purpose), '', 0);
        if (options.all) cb(null, addrs);
        else cb(null, addrs[0]!.address, addrs[0]!.family);
      },
      (err: Error) =>
        cb(
          new OutboundError(
            'ERR_OUTBOUND_NETWORK',
            `${hostname} does not resolve (${(err as NodeJS.ErrnoException).code ?? err.message})`,
            purpose,
          ),
          '',
          0,
        ),
    );
  };
}

function exchange(
  settings: OutboundSettings,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  o: { signal: AbortSignal; timeoutMs: number; maxBytes: number; purpose: string },
): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const http = url.protocol === 'http:';
    // Node connects to an address literal without calling `lookup`: check it here.
    if (isIP(host)) {
      const why = addressVerdict(settings, host, host, { http });
      if (why) return reject(new OutboundError('ERR_OUTBOUND_FORBIDDEN', `refused: ${why}`, o.purpose));
    }
    if (o.signal.aborted) return reject(new OutboundError('ERR_OUTBOUND_TIMEOUT', `no answer within ${o.timeoutMs} ms`, o.purpose));
    const refused: { error?: OutboundError } = {};
    const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
    const req = (http ? httpRequest : httpsRequest)(url, {
      method,
      headers: { ...headers, ...(payload ? { 'content-length': String(payload.byteLength) } : {}) },
      agent: false,
      lookup: pinnedLookup(settings, http, o.purpose, refused),
      signal: o.signal,
    });
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      if (refused.error) return reject(refused.error);
      if (err instanceof OutboundError) return reject(err);
      if (o.signal.aborted) return reject(new OutboundError('ERR_OUTBOUND_TIMEOUT', `no answer within ${o.timeoutMs} ms`, o.purpose));
      const e = err as NodeJS.ErrnoException;
      reject(new OutboundError('ERR_OUTBOUND_NETWORK', `request failed: ${e.code ?? e.message}`, o.purpose));
    };
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > o.maxBytes)
        return fail(new OutboundError('ERR_OUTBOUND_TOO_LARGE', `the answer is larger than ${o.maxBytes} bytes`, o.purpose));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.byteLength;
        if (size > o.maxBytes)
          return fail(new OutboundError('ERR_OUTBOUND_TOO_LARGE', `the answer is larger than ${o.maxBytes} bytes`, o.purpose));
        chunks.push(c);
      });
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('the answer was cut off')));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) for (const x of v) h.append(k, x);
          else if (v !== undefined) h.set(k, v);
        }
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks), url: url.href });
      });
    });
    req.end(payload);
  });
}
