import { dpopProofMaker } from './dpop-proofs.js';
import type { RequestPlan } from './load.js';
import { BENCH_REDIRECT_URI, basic } from './shared.js';
import type { Target, TenantFixture } from './targets/target.js';

/** Why a scenario has no number for a server: the endpoint does not exist (yet), or it answered wrongly. */
export class Unavailable extends Error {
  constructor(
    message: string,
    /** `missing`: not offered (not in discovery, not supported); `failed`: offered but the probe request failed. */
    readonly kind: 'missing' | 'failed' = 'missing',
  ) {
    super(message);
  }
}

/**
 * What Gatehouse must reach on a row (issue 17, item 2), as ratios of Gatehouse's req/s to
 * a reference in the same run, and as a fraction of one core's raw signing rate.
 */
export interface Targets {
  /** Gatehouse / oidc-provider in memory. */
  memory?: number;
  /** Gatehouse / oidc-provider with the MongoDB adapter on the same database: every row that makes a token. */
  database?: number;
  /** Gatehouse / raw jose signing of the row's algorithm (`signs`), one core. */
  signing?: number;
}

/** Metadata and resource endpoints: ≥ 1.5× the in-memory reference. */
const SERVE = { memory: 1.5 };
/** Token rows: ≥ 1.0× in memory, ≥ 1.5× on the same database. */
const TOKEN = { memory: 1.0, database: 1.5 };

export interface ScenarioContext {
  /** Requests expected over warm-up + measurement, to size pools of single-use inputs. */
  expectedRequests: number;
  connections: number;
}

export interface Scenario {
  id: string;
  label: string;
  /** Part of the 20-second smoke run. */
  smoke: boolean;
  /** Repeated in the WORKERS pass (the CPU-bound ones: database-bound scenarios measure the database). */
  workers?: boolean;
  /** Token-endpoint scenarios are compared with the raw signing rate of this algorithm. */
  signs?: 'RS256' | 'ES256';
  /** Issue 17's targets for the row (docs/benchmarks.md, "Targets"); a missing one is "no target". */
  targets: Targets;
  prepare(t: Target, ctx: ScenarioContext): Promise<RequestPlan>;
}

type Metadata = Record<string, unknown>;
const discoveryCache = new WeakMap<Target, Map<string, Metadata>>();

async function discover(t: Target, slug: string): Promise<Metadata> {
  let perTarget = discoveryCache.get(t);
  if (!perTarget) discoveryCache.set(t, (perTarget = new Map()));
  const hit = perTarget.get(slug);
  if (hit) return hit;
  const res = await fetch(`${t.url}/t/${slug}/.well-known/openid-configuration`);
  if (!res.ok) throw new Unavailable(`discovery answered ${res.status}`, 'failed');
  const meta = (await res.json()) as Metadata;
  perTarget.set(slug, meta);
  return meta;
}

/** The path of an endpoint the server announces in discovery, or Unavailable. */
async function endpoint(t: Target, slug: string, name: string): Promise<string> {
  const meta = await discover(t, slug);
  const value = meta[name];
  if (typeof value !== 'string') throw new Unavailable(`discovery has no ${name} yet`);
  const u = new URL(value);
  return u.pathname;
}

function tenant(t: Target, slug: string): TenantFixture {
  const f = t.tenants[slug];
  if (!f) throw new Error(`no fixture for tenant ${slug}`);
  return f;
}

const FORM = 'application/x-www-form-urlencoded';

/** Sends one request the way the load will, and checks the answer before any load. */
async function probe(t: Target, plan: RequestPlan, check: (status: number, body: string) => string | null): Promise<void> {
  const step = plan.next?.() ?? {};
  const res = await fetch(t.url + (step.path ?? plan.path), {
    method: plan.method,
    headers: step.headers ?? plan.headers ?? {},
    ...(plan.method === 'POST' ? { body: step.body ?? plan.body ?? '' } : {}),
  });
  const body = await res.text();
  const problem = check(res.status, body);
  if (problem) throw new Unavailable(`probe: ${problem} (HTTP ${res.status}: ${body.slice(0, 160)})`, 'failed');
}

const json = (body: string): Record<string, unknown> => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
};

const jwtHeader = (token: unknown): Record<string, unknown> =>
  typeof token === 'string' && token.split('.').length === 3
    ? (JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as Record<string, unknown>)
    : {};

function expectAccessToken(alg?: string) {
  return (status: number, body: string): string | null => {
    if (status !== 200) return 'expected 200';
    const b = json(body);
    if (typeof b.access_token !== 'string') return 'no access_token';
    if (alg && jwtHeader(b.access_token).alg !== alg) return `access token is not a ${alg} JWT`;
    return null;
  };
}

/** A cycling supply of reusable inputs (tokens for userinfo and introspection). */
function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length] as T;
}

/** A draining supply of single-use inputs (authorization codes), newest first: the oldest are nearest to expiry. */
function drain<T>(items: T[]): () => T | undefined {
  return () => items.pop();
}

async function clientCredentialsTokens(t: Target, slug: string, n: number, opaque: boolean): Promise<string[]> {
  const f = tenant(t, slug);
  const creds = opaque ? f.ccOpaque : f.cc;
  if (!creds) throw new Unavailable('no client with opaque access tokens (accessTokenFormat) yet');
  const path = await endpoint(t, slug, 'token_endpoint');
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(t.url + path, {
      method: 'POST',
      headers: { authorization: basic(creds.id, creds.secret), 'content-type': FORM },
      body: 'grant_type=client_credentials&scope=api%3Aread',
    });
    const b = (await res.json()) as { access_token?: string };
    if (!b.access_token)
      throw new Unavailable(
        `client_credentials for ${opaque ? 'an opaque' : 'a JWT'} token failed: ${res.status} ${JSON.stringify(b).slice(0, 160)}`,
        'failed',
      );
    if (opaque && b.access_token.split('.').length === 3)
      throw new Unavailable('the opaque client still receives JWT access tokens', 'failed');
    out.push(b.access_token);
  }
  return out;
}

async function seedCodes(t: Target, slug: string, n: number): Promise<string[]> {
  const f = tenant(t, slug);
  if (!f.rp) throw new Unavailable('no authorization_code client could be created');
  await endpoint(t, slug, 'authorization_endpoint');
  if (!((await discover(t, slug)).grant_types_supported as string[] | undefined)?.includes('authorization_code')) {
    throw new Unavailable('authorization_code is not in grant_types_supported yet');
  }
  return t.seed(slug, 'code', n);
}

function codeBody(code: string): string {
  // A code_verifier rides along when the seeding flow used PKCE (`code~verifier`).
  const [value, verifier] = code.split('~');
  return `grant_type=authorization_code&code=${encodeURIComponent(value as string)}&redirect_uri=${encodeURIComponent(BENCH_REDIRECT_URI)}${verifier ? `&code_verifier=${verifier}` : ''}`;
}

async function exchangeCodes(t: Target, slug: string, codes: string[]): Promise<{ access_token: string; refresh_token?: string }[]> {
  const f = tenant(t, slug);
  const path = await endpoint(t, slug, 'token_endpoint');
  const out: { access_token: string; refresh_token?: string }[] = [];
  for (const code of codes) {
    // A 503 is the provider's "try again" (a database that blinked under the previous
    // scenario's load): wait as told and try once more; a code that was spent meanwhile is skipped.
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(t.url + path, {
        method: 'POST',
        headers: { authorization: basic(f.rp!.id, f.rp!.secret), 'content-type': FORM },
        body: codeBody(code),
      });
      const b = (await res.json()) as { access_token?: string; refresh_token?: string; error?: string };
      if (b.access_token) {
        out.push(b as { access_token: string; refresh_token?: string });
        break;
      }
      if (res.status === 503 && attempt < 3) {
        await new Promise((r) => setTimeout(r, 1000 * Math.max(1, Number(res.headers.get('retry-after')) || 1)));
        continue;
      }
      if (attempt > 0 && b.error === 'invalid_grant') break;
      throw new Unavailable(`code exchange failed: ${res.status} ${JSON.stringify(b).slice(0, 160)}`, 'failed');
    }
  }
  return out;
}

const metadataScenario = (id: string, label: string, smoke: boolean, path: (t: Target) => Promise<string | (() => string)>): Scenario => ({
  id,
  label,
  smoke,
  workers: id !== 'discovery-1000',
  targets: SERVE,
  async prepare(t) {
    const p = await path(t);
    const plan: RequestPlan =
      typeof p === 'string' ? { method: 'GET', path: p } : { method: 'GET', path: p(), next: () => ({ path: p() }) };
    await probe(t, plan, (s, b) => (s === 200 && b.startsWith('{') ? null : 'expected a 200 JSON document'));
    return plan;
  },
});

const clientCredentialsScenario = (slug: string, alg: 'RS256' | 'ES256'): Scenario => ({
  id: `client-credentials-${alg.toLowerCase()}`,
  label: `client_credentials, ${alg} JWT`,
  smoke: alg === 'RS256',
  workers: true,
  signs: alg,
  // Only ES256 has a signing-rate target (issue 17: 0.50 of raw ES256 today); RS256 shows its fraction.
  targets: alg === 'ES256' ? { ...TOKEN, signing: 0.8 } : TOKEN,
  async prepare(t) {
    const f = tenant(t, slug);
    const plan: RequestPlan = {
      method: 'POST',
      path: await endpoint(t, slug, 'token_endpoint'),
      headers: { authorization: basic(f.cc.id, f.cc.secret), 'content-type': FORM },
      body: 'grant_type=client_credentials&scope=api%3Aread',
    };
    await probe(t, plan, expectAccessToken(alg));
    return plan;
  },
});

/**
 * client_credentials with a DPoP proof per request (RFC 9449): proof verification, the
 * jti replay check and a token bound with `cnf.jkt`. The first answer must be a DPoP
 * token whose `cnf.jkt` is the proof key's thumbprint.
 */
const dpopClientCredentialsScenario = (slug: string): Scenario => ({
  id: 'client-credentials-dpop',
  label: 'client_credentials, DPoP-bound (ES256 proof), RS256 JWT',
  smoke: false,
  workers: true,
  signs: 'RS256',
  // A token row (same database ≥ 1.5×); issue 17 sets no in-memory target for DPoP.
  targets: { database: TOKEN.database },
  async prepare(t) {
    const f = tenant(t, slug);
    const meta = await discover(t, slug);
    if (!Array.isArray(meta.dpop_signing_alg_values_supported)) throw new Unavailable('discovery has no dpop_signing_alg_values_supported');
    const tokenUrl = meta.token_endpoint as string;
    const proofs = dpopProofMaker(tokenUrl);
    const headers = { authorization: basic(f.cc.id, f.cc.secret), 'content-type': FORM };
    const plan: RequestPlan = {
      method: 'POST',
      path: new URL(tokenUrl).pathname,
      headers,
      body: 'grant_type=client_credentials&scope=api%3Aread',
      next: () => ({ headers: { ...headers, dpop: proofs.next() } }),
    };
    await probe(t, plan, (s, b) => {
      const problem = expectAccessToken('RS256')(s, b);
      if (problem) return problem;
      const body = json(b);
      if (String(body.token_type).toLowerCase() !== 'dpop') return 'token_type is not DPoP';
      const payload = JSON.parse(Buffer.from(String(body.access_token).split('.')[1] ?? '', 'base64url').toString()) as {
        cnf?: { jkt?: string };
      };
      return payload.cnf?.jkt === proofs.jkt ? null : 'the access token is not bound to the proof key (cnf.jkt)';
    });
    return plan;
  },
});

const SLUG = 'bench-rs256';

/** RFC 9126: a code-flow request with PKCE, pushed by the confidential RP. */
const PAR_BODY = new URLSearchParams({
  response_type: 'code',
  redirect_uri: BENCH_REDIRECT_URI,
  scope: 'openid email',
  state: 'bench-state',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
}).toString();

/**
 * The PAR answer is 201 with a request_uri URN, and that request_uri opens the code flow
 * at the authorization endpoint: a redirect to the login (interaction) page, not an error.
 */
async function checkPushed(t: Target, status: number, body: string): Promise<string | null> {
  if (status !== 201) return 'expected 201';
  const b = json(body);
  if (typeof b.request_uri !== 'string' || !b.request_uri.startsWith('urn:ietf:params:oauth:request_uri:')) return 'no request_uri URN';
  if (typeof b.expires_in !== 'number') return 'no expires_in';
  const authorize = await endpoint(t, SLUG, 'authorization_endpoint');
  const query = new URLSearchParams({ client_id: tenant(t, SLUG).rp!.id, request_uri: b.request_uri });
  const res = await fetch(`${t.url}${authorize}?${query}`, { redirect: 'manual' });
  const location = res.headers.get('location') ?? '';
  if (res.status < 300 || res.status > 303 || location.includes('error=')) return `the request_uri did not open the flow (${res.status})`;
  return null;
}

export const scenarios: Scenario[] = [
  metadataScenario('discovery', 'discovery, one tenant', true, async () => `/t/${SLUG}/.well-known/openid-configuration`),
  metadataScenario('discovery-1000', 'discovery, 1,000 tenants at random', false, async (t) => {
    const slugs = t.manySlugs.slice(0, 1000);
    if (slugs.length < 1000) throw new Unavailable(`only ${slugs.length} tenants exist`);
    return () => `/t/${slugs[Math.floor(Math.random() * slugs.length)]}/.well-known/openid-configuration`;
  }),
  metadataScenario('jwks', 'JWKS', true, async (t) => endpoint(t, SLUG, 'jwks_uri')),
  clientCredentialsScenario(SLUG, 'RS256'),
  clientCredentialsScenario('bench-es256', 'ES256'),
  dpopClientCredentialsScenario(SLUG),
  {
    id: 'authorization-code',
    label: 'authorization_code exchange, RS256 (codes made beforehand)',
    smoke: true,
    signs: 'RS256',
    targets: TOKEN,
    async prepare(t, ctx) {
      const f = tenant(t, SLUG);
      const codes = await seedCodes(t, SLUG, ctx.expectedRequests + 1);
      const next = drain(codes);
      const plan: RequestPlan = {
        method: 'POST',
        path: await endpoint(t, SLUG, 'token_endpoint'),
        headers: { authorization: basic(f.rp!.id, f.rp!.secret), 'content-type': FORM },
        singleUse: true,
        next: () => {
          const code = next();
          return code ? { body: codeBody(code) } : null;
        },
      };
      await probe(t, plan, (s, b) => expectAccessToken()(s, b) ?? (typeof json(b).id_token === 'string' ? null : 'no id_token'));
      return plan;
    },
  },
  {
    id: 'par',
    label: 'PAR push for the code flow (PKCE), request_uri checked at authorize',
    smoke: false,
    // Not a token row: a request_uri is a one-minute handle on an authorization request
    // (RFC 9126), not a credential; it is written to the database on both sides, so the
    // same-database ratio is shown, without a target.
    targets: {},
    async prepare(t) {
      const f = tenant(t, SLUG);
      if (!f.rp) throw new Unavailable('no authorization_code client could be created');
      const plan: RequestPlan = {
        method: 'POST',
        path: await endpoint(t, SLUG, 'pushed_authorization_request_endpoint'),
        headers: { authorization: basic(f.rp.id, f.rp.secret), 'content-type': FORM },
        // oidc-provider wants client_id in the body even with Basic credentials; Gatehouse checks that it matches.
        body: `${PAR_BODY}&client_id=${encodeURIComponent(f.rp.id)}`,
      };
      // probe() checks synchronously; the authorize follow-up needs a fetch, so check here.
      const res = await fetch(t.url + plan.path, { method: 'POST', headers: plan.headers, body: plan.body });
      const text = await res.text();
      const problem = await checkPushed(t, res.status, text);
      if (problem) throw new Unavailable(`probe: ${problem} (HTTP ${res.status}: ${text.slice(0, 160)})`, 'failed');
      return plan;
    },
  },
  {
    id: 'refresh',
    label: 'refresh_token (rotated on every use), RS256',
    smoke: false,
    signs: 'RS256',
    targets: TOKEN,
    async prepare(t, ctx) {
      const f = tenant(t, SLUG);
      const tokens = await exchangeCodes(t, SLUG, await seedCodes(t, SLUG, ctx.connections * 4 + 1));
      const pool = tokens.map((x) => x.refresh_token);
      if (pool.some((x) => !x)) throw new Unavailable('the code exchange returned no refresh_token (offline_access)', 'failed');
      // Each response's new refresh token goes back into the pool: real rotation chains.
      const plan: RequestPlan = {
        method: 'POST',
        path: await endpoint(t, SLUG, 'token_endpoint'),
        headers: { authorization: basic(f.rp!.id, f.rp!.secret), 'content-type': FORM },
        singleUse: true,
        next: () => {
          const rt = pool.shift();
          return rt ? { body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}` } : null;
        },
        onResponse: (status, body) => {
          if (status !== 200) return;
          const rt = json(body).refresh_token;
          if (typeof rt === 'string') pool.push(rt);
        },
      };
      await probe(t, plan, (s, b) => {
        const r = expectAccessToken()(s, b);
        if (r) return r;
        const rt = json(b).refresh_token;
        if (typeof rt !== 'string') return 'no rotated refresh_token';
        pool.push(rt);
        return null;
      });
      return plan;
    },
  },
  {
    id: 'userinfo',
    label: 'userinfo (bearer access token)',
    smoke: false,
    targets: SERVE,
    async prepare(t) {
      const path = await endpoint(t, SLUG, 'userinfo_endpoint');
      // oidc-provider serves userinfo only to opaque tokens without a resource audience;
      // Gatehouse to its JWT access tokens from the code flow.
      const tokens =
        t.kind === 'oidc-provider'
          ? await t.seed(SLUG, 'userinfo-token', 100)
          : (await exchangeCodes(t, SLUG, await seedCodes(t, SLUG, 100))).map((x) => x.access_token);
      const next = cycle(tokens);
      const plan: RequestPlan = { method: 'GET', path, next: () => ({ headers: { authorization: `Bearer ${next()}` } }) };
      await probe(t, plan, (s, b) => (s === 200 && json(b).sub ? null : 'expected claims with sub'));
      return plan;
    },
  },
  ...(['jwt', 'opaque'] as const).map((format): Scenario => ({
    id: `introspection-${format}`,
    label: `introspection, ${format === 'jwt' ? 'JWT' : 'opaque'} access token`,
    smoke: false,
    workers: format === 'jwt',
    targets: SERVE,
    async prepare(t) {
      const path = await endpoint(t, SLUG, 'introspection_endpoint');
      const f = tenant(t, SLUG);
      if (!f.rp) throw new Unavailable('no client to introspect with');
      const next = cycle(await clientCredentialsTokens(t, SLUG, 100, format === 'opaque'));
      const plan: RequestPlan = {
        method: 'POST',
        path,
        headers: { authorization: basic(f.rp.id, f.rp.secret), 'content-type': FORM },
        next: () => ({ body: `token=${encodeURIComponent(next())}&token_type_hint=access_token` }),
      };
      await probe(t, plan, (s, b) => {
        if (s === 400 && json(b).error === 'unsupported_token_type') throw new Unavailable(String(json(b).error_description));
        return s === 200 && json(b).active === true ? null : 'expected active: true';
      });
      return plan;
    },
  })),
];
