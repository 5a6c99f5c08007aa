import { trace, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * OpenTelemetry tracing, off unless the standard variables ask for it (docs/operations.md,
 * "Tracing"). When off, nothing here is loaded beyond this module and no request, query or
 * GraphQL operation pays for it: the HTTP listener is not wrapped, no MongoDB listener and
 * no Apollo plugin is added (each call site asks `activeTracer()` once, at start).
 */
let tracer: Tracer | undefined;
let shutdownProvider: (() => Promise<void>) | undefined;

/** OTEL_TRACES_EXPORTER (otlp | console | none) or an OTLP endpoint turn tracing on; OTEL_SDK_DISABLED=true wins. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export interface TracingOptions {
  /** Tests pass the SDK's InMemorySpanExporter; otherwise chosen by OTEL_TRACES_EXPORTER. */
  exporter?: SpanExporter;
  /** Export each span at its end (tests) instead of in batches. */
  simple?: boolean;
}

/** Starts the SDK (loaded only now) and registers it globally; returns false when tracing is off. */
export async function startTracing(opts: TracingOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (tracer) return true;
  if (!opts.exporter && !tracingRequested(env)) return false;
  const [{ NodeTracerProvider }, base, resources] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
  ]);
  let exporter = opts.exporter;
  if (!exporter) {
    const kinds = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((s) => s.trim());
    if (kinds.includes('console')) exporter = new base.ConsoleSpanExporter();
    else {
      // Reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS and _TIMEOUT itself.
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      exporter = new OTLPTraceExporter();
    }
  }
  const resource = resources
    .resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'gatehouse' })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [opts.simple ? new base.SimpleSpanProcessor(exporter) : new base.BatchSpanProcessor(exporter)],
  });
  // Installs the AsyncLocalStorage context manager (MongoDB spans find their request's span)
  // and the W3C trace-context propagator (a caller's traceparent is continued).
  provider.register();
  tracer = trace.getTracer('gatehouse');
  shutdownProvider = () => provider.shutdown();
  return true;
}

/** The tracer when tracing is on; undefined otherwise (then callers install nothing). */
export function activeTracer(): Tracer | undefined {
  return tracer;
}

/** Flushes and stops the exporter (graceful shutdown, tests). */
export async function stopTracing(): Promise<void> {
  const stop = shutdownProvider;
  tracer = undefined;
  shutdownProvider = undefined;
  if (stop) await stop();
}
