import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import type { HttpResult } from './issue.js';
import type { TestServer } from './server.js';

/** Client credentials for a request: [id, secret] as client_secret_basic, or a public client's id alone. */
export type Caller = [string, string] | { publicClientId: string } | { postId: string; postSecret: string } | null;

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A raw form POST to an endpoint of the tenant, authenticated as `caller`. */
export async function postForm(
  srv: TestServer,
  slug: string,
  path: string,
  params: Record<string, string>,
  caller: Caller,
): Promise<HttpResult> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(params);
  if (Array.isArray(caller)) headers.authorization = basic(caller[0], caller[1]);
  else if (caller && 'publicClientId' in caller) body.set('client_id', caller.publicClientId);
  else if (caller) {
    body.set('client_id', caller.postId);
    body.set('client_secret', caller.postSecret);
  }
  const res = await fetch(`${srv.issuer(slug)}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

export const introspect = (srv: TestServer, slug: string, token: string, caller: Caller, extra: Record<string, string> = {}) =>
  postForm(srv, slug, '/introspect', { token, ...extra }, caller);

export const revoke = (srv: TestServer, slug: string, token: string, caller: Caller, extra: Record<string, string> = {}) =>
  postForm(srv, slug, '/revoke', { token, ...extra }, caller);

/** Whether introspection (by `caller`) says the token is active. */
export async function isActive(srv: TestServer, slug: string, token: string, caller: Caller): Promise<boolean> {
  const r = await introspect(srv, slug, token, caller);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.active === true;
}

/** Waits for `check` to hold, as a replica catches up within the cache sync interval (0.2 s in tests). */
export async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail('not seen within the sync interval');
}
