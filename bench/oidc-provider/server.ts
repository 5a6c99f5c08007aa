/**
 * The reference: oidc-provider 9, one Provider instance per tenant, mounted under
 * `/t/{slug}` of one node:http server, configured as close to Gatehouse as it allows:
 *  - the same key families (RS256, PS256, ES256, EdDSA; an ACTIVE and a NEXT key each,
 *    so the JWKS carries the same 8 keys), the tenant's algorithm signs access tokens;
 *  - JWT access tokens (RFC 9068) through resource indicators
 *    (`features.resourceIndicators` + `accessTokenFormat: 'jwt'`);
 *  - client_credentials, authorization_code, refresh_token (rotated on every use, as
 *    Gatehouse does), userinfo, introspection;
 *  - storage: an unbounded in-memory adapter (memory-adapter.ts: the bundled one is a
 *    1,000-entry LRU), or, when the spec names a database, a MongoDB adapter on the
 *    bench's FerretDB, the same instance and proxy Gatehouse uses (mongodb-adapter.ts).
 *
 * Run as a child of bench/run.ts: `node --import tsx bench/oidc-provider/server.ts`
 * with the spec as JSON in BENCH_OP_SPEC. It prints one JSON line `{"ready":…}` on
 * stdout when listening. Loopback only.
 *
 * Bench-only routes under `/__bench/` seed authorization codes and opaque access
 * tokens in-process (the "codes created beforehand" of the issue) and report memory.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { BenchMemoryAdapter } from './memory-adapter.js';
import { batchedWrites, closeMongo, connectMongo, mongoAdapterFor } from './mongodb-adapter.js';
import { BENCH_CLIENTS, BENCH_REDIRECT_URI, BENCH_RESOURCE, BENCH_USER, type OpSpec } from '../shared.js';

const spec = JSON.parse(process.env.BENCH_OP_SPEC ?? '{}') as OpSpec;
const started = Date.now();

// ---- keys: a small pool of key pairs reused with fresh kids (benchmark shortcut) ----
type Jwk = Record<string, unknown>;
const families: { alg: string; make: () => Jwk }[] = [
  { alg: 'RS256', make: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Jwk },
  { alg: 'PS256', make: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Jwk },
  { alg: 'ES256', make: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Jwk },
  { alg: 'EdDSA', make: () => generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Jwk },
];
const POOL = 4;
const pool: Jwk[][] = Array.from({ length: POOL }, () =>
  families.flatMap((f) => [0, 1].map(() => ({ ...f.make(), alg: f.alg, use: 'sig' }))),
);

/** The signing key of `alg` comes first: oidc-provider signs with the first matching key. */
function tenantJwks(index: number, alg: string): Jwk[] {
  const set = pool[index % POOL] as Jwk[];
  const keys: Jwk[] = set.map((k) => ({ ...k, kid: randomBytes(12).toString('base64url') }));
  keys.sort((a, b) => Number(b.alg === alg) - Number(a.alg === alg));
  return keys;
}

// ---- one Provider per tenant ----
const origin = `http://127.0.0.1:${spec.port}`;

if (spec.database) await connectMongo(spec.database.uri, spec.database.name);

function configuration(slug: string, index: number, alg: string): Configuration {
  return {
    adapter: spec.database ? mongoAdapterFor(slug) : BenchMemoryAdapter,
    jwks: { keys: tenantJwks(index, alg) as never },
    clients: [
      {
        client_id: BENCH_CLIENTS.cc.id,
        client_secret: BENCH_CLIENTS.cc.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'api:read',
      },
      {
        client_id: BENCH_CLIENTS.ccOpaque.id,
        client_secret: BENCH_CLIENTS.ccOpaque.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'api:read',
      },
      {
        client_id: BENCH_CLIENTS.rp.id,
        client_secret: BENCH_CLIENTS.rp.secret,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [BENCH_REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid email profile offline_access api:read',
        id_token_signed_response_alg: alg,
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'api:read'],
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: BENCH_USER.email, email_verified: true, name: BENCH_USER.name }),
    }),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // DPoP-bound client_credentials row: the same feature on (RFC 9449; replay detection in the adapter's memory).
      dPoP: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      // RFC 9126, as every Gatehouse tenant offers it (bench row "par").
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      resourceIndicators: {
        enabled: true,
        // JWT access tokens: the `cc` and `rp` clients default to the bench resource
        // server; `ccOpaque` gets none, so its tokens are opaque (stored).
        defaultResource: (ctx: KoaContextWithOIDC) =>
          ctx.oidc.client?.clientId === BENCH_CLIENTS.ccOpaque.id ? undefined : BENCH_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api:read',
          audience: BENCH_RESOURCE,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg } },
        }),
      },
    } as Configuration['features'],
    // Gatehouse rotates refresh tokens on every use; so does the reference here.
    rotateRefreshToken: true,
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 30 * 24 * 3600,
      Grant: 30 * 24 * 3600,
      Session: 14 * 24 * 3600,
      Interaction: 3600,
    },
    cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
    pkce: { required: () => false },
  } as Configuration;
}

const providers = new Map<string, { provider: Provider; handler: (req: IncomingMessage, res: ServerResponse) => void }>();

function addTenant(slug: string, index: number, alg: string): void {
  const provider = new Provider(`${origin}/t/${slug}`, configuration(slug, index, alg));
  // Keep the reference quiet: a noisy stderr would only slow both sides unevenly.
  provider.on('server_error', (_ctx: unknown, err: Error) =>
    process.stderr.write(`oidc-provider server_error: ${err.stack ?? err.message}\n`),
  );
  providers.set(slug, { provider, handler: provider.callback() as never });
}

for (const t of spec.tenants) addTenant(t.slug, providers.size, t.alg);
// Generated tenants, created until the count or the time/memory bound is reached.
let boundHit: string | undefined;
if (spec.generated) {
  const { prefix, count, alg, maxSeconds, maxRssMb } = spec.generated;
  for (let i = 0; i < count; i++) {
    if ((Date.now() - started) / 1000 > maxSeconds) {
      boundHit = `time bound of ${maxSeconds} s`;
      break;
    }
    if (i % 250 === 0 && process.memoryUsage().rss / 2 ** 20 > maxRssMb) {
      boundHit = `memory bound of ${maxRssMb} MiB`;
      break;
    }
    addTenant(`${prefix}${i}`, i, alg);
  }
}

// ---- bench-only seeding (in-process, through the adapter; one bulk write per collection on a database) ----
function seed(slug: string, kind: string, n: number): Promise<string[]> {
  return spec.database ? batchedWrites(() => seedModels(slug, kind, n)) : seedModels(slug, kind, n);
}

async function seedModels(slug: string, kind: string, n: number): Promise<string[]> {
  const entry = providers.get(slug);
  if (!entry) throw new Error(`unknown tenant ${slug}`);
  const { provider } = entry;
  const client = await provider.Client.find(BENCH_CLIENTS.rp.id);
  if (!client) throw new Error('no rp client');
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    // One grant per code, as if each came from its own authorization.
    const grant = new provider.Grant({ accountId: BENCH_USER.sub, clientId: client.clientId });
    grant.addOIDCScope('openid email profile offline_access');
    grant.addResourceScope(BENCH_RESOURCE, 'api:read');
    const grantId = await grant.save();
    if (kind === 'code') {
      const code = new provider.AuthorizationCode({
        accountId: BENCH_USER.sub,
        client,
        grantId,
        scope: 'openid email profile offline_access api:read',
        resource: BENCH_RESOURCE,
        redirectUri: BENCH_REDIRECT_URI,
        authTime: Math.floor(Date.now() / 1000),
        expiresWithSession: false,
      } as never);
      out.push(await code.save());
    } else if (kind === 'userinfo-token') {
      // oidc-provider only serves userinfo to opaque tokens without a resource audience.
      const at = new provider.AccessToken({
        accountId: BENCH_USER.sub,
        client,
        grantId,
        scope: 'openid email profile',
        gty: 'authorization_code',
      } as never);
      out.push(await at.save());
    } else {
      throw new Error(`unknown seed kind ${kind}`);
    }
  }
  return out;
}

function benchRoute(req: IncomingMessage, res: ServerResponse, url: URL): void {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/__bench/memory') {
    if (url.searchParams.has('gc') && typeof globalThis.gc === 'function') globalThis.gc();
    reply(200, { rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, providers: providers.size });
    return;
  }
  if (url.pathname === '/__bench/seed') {
    seed(url.searchParams.get('slug') ?? '', url.searchParams.get('kind') ?? '', Number(url.searchParams.get('n') ?? '1')).then(
      (values) => reply(200, values),
      (err: Error) => reply(500, { error: err.message }),
    );
    return;
  }
  reply(404, { error: 'not_found' });
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/t/')) {
    const end = url.indexOf('/', 3);
    const slug = end < 0 ? url.slice(3) : url.slice(3, end);
    const entry = providers.get(slug);
    if (entry) {
      // Mounted like express's app.use('/t/:slug', …) does: the provider sees the rest.
      (req as IncomingMessage & { originalUrl: string }).originalUrl = url;
      req.url = end < 0 ? '/' : url.slice(end);
      entry.handler(req, res);
      return;
    }
  } else if (url.startsWith('/__bench/')) {
    benchRoute(req, res, new URL(url, origin));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"not_found"}');
});
server.keepAliveTimeout = 65_000;
server.listen(spec.port, '127.0.0.1', () => {
  process.stdout.write(
    JSON.stringify({
      ready: true,
      providers: providers.size,
      seconds: (Date.now() - started) / 1000,
      boundHit: boundHit ?? null,
      rss: process.memoryUsage().rss,
    }) + '\n',
  );
});
process.on('SIGTERM', () => {
  void closeMongo().finally(() => process.exit(0));
});
