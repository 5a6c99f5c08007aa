import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Unavailable } from '../scenarios.js';
import { BENCH_REDIRECT_URI, BENCH_USER } from '../shared.js';
import { benchRuntime, type StartedGatehouse } from './gatehouse.js';
import type { SeedKind, Target } from './target.js';

type Runtime = import('../../src/runtime.js').Runtime;
type IssueModule = typeof import('../../src/oidc/issue/authorization-response.js');
type Decision = import('../../src/oidc/authorization-result.js').AuthorizationDecision;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runtimes = new Map<string, Promise<{ rt: Runtime; close: () => Promise<void> }>>();

/**
 * Authorization codes made beforehand, in-process: the bench runs Gatehouse's own
 * issuing side (oidc/issue/authorization-response.ts, the function the authorization
 * endpoint calls once login and consent are done) against the server's database, for
 * an authenticated session of the bench user. The server under test then redeems them
 * at its token endpoint exactly as codes from a browser flow. (oidc-provider's codes are
 * made the same way, with its AuthorizationCode model in its own process.)
 */
export async function seedGatehouse(t: Target, slug: string, kind: SeedKind, n: number): Promise<string[]> {
  if (kind !== 'code') throw new Unavailable(`no ${kind} seeding for Gatehouse (its userinfo takes access tokens from code exchanges)`);
  const g = t as StartedGatehouse;
  let pending = runtimes.get(g.db.name);
  if (!pending) runtimes.set(g.db.name, (pending = benchRuntime(g.db)));
  const { rt } = await pending;
  let issue: IssueModule;
  try {
    issue = (await import(pathToFileURL(join(root, 'dist', 'oidc', 'issue', 'authorization-response.js')).href)) as IssueModule;
  } catch {
    throw new Unavailable('the issuing side (oidc/issue/authorization-response) does not exist yet');
  }
  const tenant = await rt.tenants.get(slug);
  const fixture = g.tenants[slug];
  if (!tenant || !fixture?.rp) throw new Unavailable('no authorization_code client in the bench tenant');
  const client = await tenant.store.clients.findByClientId(fixture.rp.id);
  const user = await tenant.store.users.findByUsername(BENCH_USER.username);
  if (!client || !user) throw new Unavailable('the bench client or user is missing');
  const authTime = Math.floor(Date.now() / 1000);
  const sid = randomBytes(16).toString('base64url');
  const decision: Decision = {
    client,
    user,
    session: { sid, authTime, amr: ['pwd'] },
    responseType: 'code',
    redirectUri: BENCH_REDIRECT_URI,
    scopes: ['openid', 'email', 'profile', 'offline_access', 'api:read'],
    offlineAccess: true,
  };
  const codes: string[] = [];
  let next = 0;
  // Codes live codeTtl (60 s): seeding stops after 15 s however many were asked for.
  const until = Date.now() + 15_000;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n && Date.now() < until) {
        next++;
        const out = await issue.issueAuthorizationResponse(rt, tenant, decision);
        if (!out.code) throw new Unavailable('the issuing side returned no code', 'failed');
        codes.push(out.code);
      }
    }),
  );
  return codes;
}

export async function closeSeedRuntimes(): Promise<void> {
  for (const p of runtimes.values()) await (await p).close().catch(() => undefined);
  runtimes.clear();
}
