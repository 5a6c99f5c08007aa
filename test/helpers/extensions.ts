import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gqlOk } from './admin.js';
import { Browser, runFlow, type FlowEnd } from './browser-fetch.js';
import type { TestServer } from './server.js';

/**
 * Helpers for the tests of claim resolvers, hooks and events: a local HTTP receiver
 * (webhooks), polling, the tenant's event log, and a whole browser login.
 */

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A loopback HTTP server; `handle` answers each request (after its body was read). */
export async function startReceiver(handle: (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
      requests.push(r);
      Promise.resolve(handle(r, res)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns something truthy (or throws after `timeoutMs`). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export interface EventNode {
  id: string;
  type: string;
  at: string;
  userId: string | null;
  clientId: string | null;
  data: Record<string, any>;
}

/** The tenant's event log through GraphQL (newest first). */
export async function tenantEvents(
  srv: TestServer,
  tenant: string,
  filter: Record<string, unknown> = {},
  first = 100,
): Promise<EventNode[]> {
  const d = await gqlOk<{ events: { edges: { node: EventNode }[] } }>(
    srv,
    `query($t: String!, $f: EventFilter, $n: Int) { events(tenant: $t, first: $n, filter: $f) { edges { node { id type at userId clientId data } } } }`,
    { t: tenant, f: filter, n: first },
  );
  return d.events.edges.map((e) => e.node);
}

/** Waits until an event matching `match` is in the log. */
export function waitForEvent(
  srv: TestServer,
  tenant: string,
  type: string,
  match: (e: EventNode) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<EventNode> {
  return waitFor(async () => (await tenantEvents(srv, tenant, { type })).find(match), timeoutMs, `event ${type}`);
}

export interface LoginOptions {
  clientId: string;
  redirectUri: string;
  username: string;
  password: string;
  scope: string;
  responseType?: string;
  consent?: 'allow' | 'deny';
  extra?: Record<string, string>;
  browser?: Browser;
}

/** A whole authorization request through the login (and consent) pages with the cookie-jar browser. */
export async function browserLogin(srv: TestServer, tenant: string, o: LoginOptions): Promise<{ end: FlowEnd; browser: Browser }> {
  const browser = o.browser ?? new Browser();
  const params = new URLSearchParams({
    client_id: o.clientId,
    redirect_uri: o.redirectUri,
    response_type: o.responseType ?? 'code',
    scope: o.scope,
    state: 'st-' + Math.random().toString(36).slice(2),
    nonce: 'n-' + Math.random().toString(36).slice(2),
    ...o.extra,
  });
  const end = await runFlow(browser, `${srv.issuer(tenant)}/authorize?${params}`, {
    username: o.username,
    password: o.password,
    consent: o.consent,
  });
  return { end, browser };
}

/** Redeems a code with client_secret_basic. */
export async function redeemCode(
  srv: TestServer,
  tenant: string,
  client: { clientId: string; clientSecret: string | null },
  code: string,
  redirectUri: string,
): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${srv.issuer(tenant)}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret ?? '')}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export const claimsOf = (jwt: string): Record<string, any> =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
