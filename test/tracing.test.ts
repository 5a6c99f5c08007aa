import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, stopTracing, tracingRequested } from '../src/telemetry/tracing.js';
import { adminToken, createClient, createTenant, gql } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** OpenTelemetry spans from a real server, collected by the SDK's in-memory exporter. */
const exporter = new InMemorySpanExporter();
let srv: TestServer;

before(async () => {
  assert.equal(await startTracing({ exporter, simple: true }), true);
  srv = await startTestServer({ label: 'tracing' });
});
after(async () => {
  await srv?.close();
  await stopTracing();
});

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;

test('tracing is off unless the standard OTEL_* variables ask for it', () => {
  assert.equal(tracingRequested({}), false);
  assert.equal(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
  assert.equal(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' }), true);
  assert.equal(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), false);
  assert.equal(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'console' }), false);
});

test('HTTP, MongoDB and GraphQL spans carry route, status and tenant, and never a secret', async () => {
  const token = await adminToken(srv);
  await createTenant(srv, 'traced');
  const client = await createClient(srv, 'traced', {
    name: 'Traced service',
    clientType: 'CONFIDENTIAL',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    scopes: ['api:read'],
  });
  exporter.reset();

  const res = await fetch(`${srv.issuer('traced')}/token?probe=query-string-value`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read' }),
  });
  assert.equal(res.status, 200);
  const accessToken = ((await res.json()) as { access_token: string }).access_token;
  const named = await gql(
    srv,
    'query TracedClients($tenant: String!) { clients(tenant: $tenant) { edges { node { clientId } } } }',
    { tenant: 'traced' },
    token,
  );
  assert.equal(named.errors, undefined);

  const http = spans().filter((s) => s.attributes['http.route'] !== undefined);
  const tokenSpan = http.find((s) => s.attributes['http.route'] === '/t/:slug/token');
  assert.ok(tokenSpan, `a span for the token request among ${http.map((s) => s.name).join(', ')}`);
  assert.equal(tokenSpan.name, 'POST /t/:slug/token');
  assert.equal(tokenSpan.attributes['gatehouse.tenant'], 'traced');
  assert.equal(tokenSpan.attributes['http.response.status_code'], 200);

  const graphqlHttp = http.find((s) => s.attributes['http.route'] === '/graphql');
  assert.ok(graphqlHttp);
  const op = spans().find((s) => s.name === 'graphql query TracedClients');
  assert.ok(
    op,
    `a GraphQL span among ${spans()
      .map((s) => s.name)
      .join(', ')}`,
  );
  assert.equal(op.attributes['graphql.operation.type'], 'query');
  assert.equal(op.attributes['gatehouse.tenant'], 'traced');
  assert.equal(parentOf(op), graphqlHttp.spanContext().spanId, 'the operation is a child of its HTTP request');

  const db = spans().filter((s) => s.attributes['db.system.name'] === 'mongodb');
  assert.ok(db.length > 0, 'MongoDB commands are traced');
  const inToken = db.filter(
    (s) => parentOf(s) === tokenSpan.spanContext().spanId || s.spanContext().traceId === tokenSpan.spanContext().traceId,
  );
  assert.ok(inToken.length > 0, 'the token request’s queries are in its trace');
  assert.ok(inToken.every((s) => s.attributes['gatehouse.tenant'] === 'traced'));
  assert.ok(db.every((s) => typeof s.attributes['db.operation.name'] === 'string'));

  // Nothing secret or request-specific in any span: no secret, token, query string or body.
  const everything = JSON.stringify(spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
  for (const secret of [client.clientSecret!, accessToken, token, 'query-string-value', 'api:read']) {
    assert.ok(!everything.includes(secret), `a span leaks ${secret.slice(0, 12)}…`);
  }
});

test('a traceparent header from the caller is continued', async () => {
  exporter.reset();
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const res = await fetch(`${srv.url}/healthz`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  assert.equal(res.status, 200);
  const span = spans().find((s) => s.attributes['http.route'] === '/healthz');
  assert.equal(span?.spanContext().traceId, traceId);
});
