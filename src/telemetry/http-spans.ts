import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestListener } from 'node:http';
import { routeLabel } from '../http/metrics.js';
import { activeTracer } from './tracing.js';
import { TENANT_ATTRIBUTE, withTenant } from './tenant-context.js';

/** `/t/acme/token?…` → `acme`; the slug is not a secret, and the query string is never read. */
function tenantOf(url: string): string | undefined {
  if (!url.startsWith('/t/')) return undefined;
  const end = url.slice(3).search(/[/?]/);
  const slug = end < 0 ? url.slice(3) : url.slice(3, 3 + end);
  return slug || undefined;
}

/**
 * A server span per HTTP request: method, route template (never the raw path or query
 * string, which may carry codes and tokens), tenant slug and status. The listener comes back
 * unchanged when tracing is off.
 */
export function traceHttp(listener: RequestListener): RequestListener {
  const tracer = activeTracer();
  if (!tracer) return listener;
  return (req, res) => {
    const url = req.url ?? '/';
    const route = routeLabel(url);
    const tenant = tenantOf(url);
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      `${req.method ?? 'GET'} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method ?? 'GET', 'http.route': route, ...(tenant ? { [TENANT_ATTRIBUTE]: tenant } : {}) },
      },
      parent,
    );
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(withTenant(trace.setSpan(parent, span), tenant), () => listener(req, res));
  };
}
