import type { Express } from 'express';
import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import { paths } from '../oidc/capabilities.js';
import { DISCOVERY_TYPE, discoveryDocument, sendCachedJson, type CachedDocument } from '../oidc/discovery.js';
import { JWKS_TYPE } from '../oidc/jwks.js';
import type { Runtime } from '../runtime.js';
import { declaresOversizeBody, sendBodyTooLarge } from './body-limit.js';
import { directEndpointPath } from './endpoint-fast-path.js';
import { routeLabel, type HttpMetrics } from './metrics.js';
import { securityHeaders } from './security-headers.js';
import { logRequest, requestId } from './request-log.js';

type Kind = 'discovery' | 'jwks';

/**
 * Headers the Express stack adds itself, per request or per document; everything else
 * it sets on a discovery or JWKS answer (helmet's security headers, CORS, caching) is
 * the same for every such answer and is replayed by the fast path.
 */
const PER_RESPONSE = new Set([
  'x-request-id',
  'etag',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-type',
  'cache-control',
  'access-control-allow-origin',
]);

/**
 * Serves discovery and JWKS of tenants already in memory without the Express stack (and
 * hands the per-token endpoints to endpoint-fast-path.ts).
 *
 * They are the most requested documents and are answered from memory anyway, but
 * Express's per-request machinery costs several times the answer itself (measured:
 * ~13k req/s for an Express app with one middleware vs ~70k for plain node:http on the
 * bench machine). Everything else — any other path or method, a tenant or key ring
 * not cached yet, the first answer of each kind — goes to Express unchanged.
 *
 * Parity with the Express answer is by construction: the static headers are learned
 * from the first answer Express gives for each kind (so helmet's configuration in
 * app.ts stays the single source), the body, ETag and 304 handling are the endpoint's
 * own (oidc/discovery.ts sendCachedJson), and the request id, access log line and
 * metrics are the same functions the middleware uses.
 */
export function withFastPaths(rt: Runtime, app: Express, metrics: HttpMetrics): RequestListener {
  const security = securityHeaders(rt.config.publicUrl);
  const direct = directEndpointPath(rt, app, metrics, security);
  const learned = new Map<Kind, [string, OutgoingHttpHeader][]>();
  const logInfo = () => rt.log.isLevelEnabled('info');

  const learn = (kind: Kind, res: ServerResponse): void => {
    if (learned.has(kind)) return;
    res.once('finish', () => {
      if (res.statusCode !== 200 || learned.has(kind)) return;
      const h: OutgoingHttpHeaders = res.getHeaders();
      learned.set(
        kind,
        Object.entries(h).filter((e): e is [string, OutgoingHttpHeader] => e[1] !== undefined && !PER_RESPONSE.has(e[0])),
      );
    });
  };

  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    // Every path, before any parser waits for the body (http/body-limit.ts).
    if (declaresOversizeBody(req)) {
      const start = process.hrtime.bigint();
      const id = requestId(req);
      sendBodyTooLarge(res, security, id);
      metrics.observe(req.method ?? 'GET', routeLabel(url), 413, Number(process.hrtime.bigint() - start) / 1e9);
      logRequest(rt.log, id, req.method, url, 413, start);
      return;
    }
    if (!url.startsWith('/t/')) return app(req, res);
    const slash = url.indexOf('/', 3);
    if (slash < 0) return app(req, res);
    const rest = url.slice(slash);
    const kind: Kind | undefined =
      req.method !== 'GET'
        ? undefined
        : rest === paths.discovery || rest === paths.oauthMetadata
          ? 'discovery'
          : rest === paths.jwks
            ? 'jwks'
            : undefined;
    if (!kind) {
      if (!direct(req, res, url, url.slice(3, slash), rest)) app(req, res);
      return;
    }
    const tenant = rt.tenants.peek(url.slice(3, slash));
    let doc: CachedDocument | undefined;
    if (tenant) {
      if (kind === 'discovery') doc = discoveryDocument(tenant);
      else {
        const ring = rt.keyRings.peek(tenant);
        if (ring) doc = { body: ring.jwksBody, etag: ring.etag };
      }
    }
    const headers = learned.get(kind);
    if (!doc || !headers) {
      learn(kind, res);
      return app(req, res);
    }

    const start = process.hrtime.bigint();
    const id = requestId(req);
    res.setHeader('X-Request-Id', id);
    for (const [name, value] of headers) res.setHeader(name, value);
    sendCachedJson(req, res, doc.body, doc.etag, kind === 'discovery' ? DISCOVERY_TYPE : JWKS_TYPE);
    metrics.observe('GET', routeLabel(url), res.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    if (logInfo()) logRequest(rt.log, id, req.method, url, res.statusCode, start);
  };
}
