import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { safeDescription } from '../errors/oauth-error.js';
import { systemClock, type Clock } from '../time/clock.js';
import { DPOP_SIGNING_ALGS, DpopProofError, singleProof, verifyProof } from '../oidc/dpop/verify-proof.js';
import { memoryJtiCache } from './dpop-replay.js';

/**
 * Express middleware for a resource server (an API) that accepts a Gatehouse tenant's
 * access tokens — the counterpart of django-oidc-provider's `protected_resource_view`.
 * It runs in the API's process and talks to Gatehouse only over HTTP: discovery, JWKS
 * and, if configured, introspection.
 */
export interface IntrospectionOptions {
  /** A confidential client of the same tenant, authenticated with client_secret_basic. */
  clientId: string;
  clientSecret: string;
  /** Also introspect JWT access tokens, so a revoked one is refused at once (one call per request). */
  always?: boolean;
}

export interface RequireAccessTokenOptions {
  /** The tenant's issuer, exactly (`{PUBLIC_URL}/t/{slug}`). */
  issuer: string;
  /** Scopes the token must all carry (403 insufficient_scope otherwise). */
  scopes?: string[];
  /**
   * This API's RFC 8707 identifier (a resource server of the tenant, createResourceServer):
   * the token's `aud` must contain it, so a token issued for another resource is refused here.
   */
  resource?: string;
  /**
   * The token's `aud` must contain one of these. Without it (and without `resource`) the
   * issuer itself: what Gatehouse issues tokens for when the client named no resource
   * (RFC 9068 4: a resource server checks that a token is meant for it).
   */
  audience?: string | string[];
  /** Introspect opaque tokens (RFC 7662) at the tenant's introspection endpoint. */
  introspection?: IntrospectionOptions;
  /** Seconds of clock skew tolerated for exp/iat (default 5). */
  clockTolerance?: number;
  /** The time exp/iat are checked against (default: the system clock; tests pass their server's clock). */
  clock?: Clock;
  /** `realm` of the WWW-Authenticate challenge (default: the issuer). */
  realm?: string;
  /** DPoP-bound tokens (RFC 9449 7): always verified; these options tune how. */
  dpop?: DpopOptions;
}

/**
 * How DPoP proofs are checked. A DPoP-bound token (`cnf.jkt`) is accepted only with
 * `Authorization: DPoP <token>` and a proof of that key for this request (`htm`, `htu`,
 * `iat`, `ath`, unused `jti`); a bearer token is not accepted with the DPoP scheme.
 */
export interface DpopOptions {
  /**
   * The origin clients address this API by (e.g. `https://api.example.com`), for `htu`. By
   * default the request's protocol and Host as Express sees them (set Express's `trust proxy`
   * behind a TLS terminator).
   */
  publicOrigin?: string;
  /** How old (seconds) a proof may be (default 60); `iat` may be 10 s in the future. */
  maxAgeSeconds?: number;
  /**
   * Records a proof's `jti` for its key until `until` (seconds since the epoch); false when it
   * was seen before. Default: in this process's memory — an API with several replicas passes a
   * shared store here (e.g. a unique index in its database) so a proof cannot be replayed at another replica.
   */
  recordJti?: (jkt: string, jti: string, until: number) => Promise<boolean>;
  /** Server-provided nonces (RFC 9449 9): the nonce to send, and whether a proof's nonce is acceptable. */
  nonce?: { current: () => string; accept: (nonce: string | undefined) => boolean };
}

/** What the middleware puts on `res.locals.accessToken`. */
export interface VerifiedAccessToken {
  format: 'jwt' | 'opaque';
  sub: string | undefined;
  clientId: string | undefined;
  scopes: string[];
  /** The JWT payload, or the introspection response. */
  claims: Record<string, unknown>;
  /** RFC 9449: the thumbprint of the DPoP key the token is bound to (its proof was checked); undefined for a bearer token. */
  jkt?: string;
}

export class AccessTokenError extends Error {
  constructor(
    readonly status: 400 | 401 | 403,
    /** RFC 6750 3.1 / RFC 9449 7.1 error code; undefined for a request without any token. */
    readonly code: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof' | 'use_dpop_nonce' | undefined,
    message: string,
    /** The challenge scheme: DPoP for DPoP-bound tokens and proof errors. */
    readonly scheme: 'Bearer' | 'DPoP' = 'Bearer',
  ) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

interface Metadata {
  jwks_uri?: string;
  introspection_endpoint?: string;
  issuer?: string;
}

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

interface Presented {
  token: string;
  scheme: 'Bearer' | 'DPoP';
}

function presented(req: Request): Presented {
  const header = req.headers.authorization;
  if (header === undefined) throw new AccessTokenError(401, undefined, 'an access token is required');
  const m = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!m) throw new AccessTokenError(401, 'invalid_token', 'the Authorization header is not a Bearer or DPoP token');
  return { token: m[2]!, scheme: m[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer' };
}

/** `cnf.jkt` of a JWT payload or an introspection response (RFC 9449 6). */
function boundKey(claims: Record<string, unknown>): string | undefined {
  const cnf = claims.cnf as { jkt?: unknown } | undefined;
  return cnf && typeof cnf === 'object' && typeof cnf.jkt === 'string' ? cnf.jkt : undefined;
}

/** The RFC 6750 charset for challenge values and descriptions (no `"` or `\\`), as the provider's own errors. */
const quoted = (s: string): string => safeDescription(s);

/**
 * `app.get('/api/projects', requireAccessToken({ issuer, scopes: ['api:read'] }), handler)`.
 *
 * JWT access tokens are verified locally: signature against the tenant's JWKS (fetched
 * from its discovery document, cached and refreshed by jose on an unknown `kid`), `typ`
 * at+jwt (RFC 9068), `iss` exactly, `exp`, and `aud` (`resource`/`audience`, else the issuer). Other
 * tokens are introspected when `introspection` is configured, else refused. Failures
 * answer 401 with `WWW-Authenticate: Bearer error="invalid_token"`; a valid token without
 * the scopes answers 403 with error="insufficient_scope" and the scopes needed.
 */
export function requireAccessToken(opts: RequireAccessTokenOptions): RequestHandler {
  const issuer = opts.issuer.replace(/\/+$/, '');
  if (issuer !== opts.issuer) throw new Error('issuer must be given exactly, without a trailing slash');
  const required = [...new Set(opts.scopes ?? [])];
  // A token for another resource (RFC 8707) is never accepted by an API that did not say it is that resource.
  const audience: string[] = [...(opts.resource ? [opts.resource] : []), ...[opts.audience ?? []].flat()];
  if (!audience.length) audience.push(issuer);
  const realm = opts.realm ?? issuer;
  const clock = opts.clock ?? systemClock;
  let metadata: Promise<Metadata> | undefined;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  const discover = (): Promise<Metadata> => {
    metadata ??= fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) })
      .then(async (r) => {
        if (!r.ok) throw new Error(`discovery answered HTTP ${r.status}`);
        const m = (await r.json()) as Metadata;
        if (m.issuer !== issuer) throw new Error(`discovery names issuer ${String(m.issuer)}, not ${issuer}`);
        return m;
      })
      .catch((err: unknown) => {
        metadata = undefined; // try again on the next request
        throw err;
      });
    return metadata;
  };

  const verifyJwt = async (token: string): Promise<VerifiedAccessToken> => {
    const m = await discover();
    if (!m.jwks_uri) throw new Error('the discovery document has no jwks_uri');
    jwks ??= createRemoteJWKSet(new URL(m.jwks_uri));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer,
        typ: 'at+jwt',
        audience,
        algorithms: ALGORITHMS,
        clockTolerance: opts.clockTolerance ?? 5,
        currentDate: clock.date(),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) throw new AccessTokenError(401, 'invalid_token', describeJoseError(err));
      throw err;
    }
    return {
      format: 'jwt',
      sub: payload.sub,
      clientId: typeof payload.client_id === 'string' ? payload.client_id : undefined,
      scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
      claims: payload as Record<string, unknown>,
    };
  };

  const introspect = async (token: string, intro: IntrospectionOptions, format: 'jwt' | 'opaque'): Promise<VerifiedAccessToken> => {
    const m = await discover();
    if (!m.introspection_endpoint) throw new Error('the tenant announces no introspection_endpoint');
    const basic = Buffer.from(`${encodeURIComponent(intro.clientId)}:${encodeURIComponent(intro.clientSecret)}`).toString('base64');
    const r = await fetch(m.introspection_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
      signal: AbortSignal.timeout(5_000),
    });
    if (!r.ok) throw new Error(`introspection answered HTTP ${r.status}`);
    const body = (await r.json()) as Record<string, unknown>;
    if (body.active !== true) throw new AccessTokenError(401, 'invalid_token', 'the access token is not active');
    if (body.token_type !== undefined && !['Bearer', 'DPoP', 'access_token'].includes(body.token_type as string)) {
      throw new AccessTokenError(401, 'invalid_token', 'not an access token');
    }
    if (body.iss !== undefined && body.iss !== issuer)
      throw new AccessTokenError(401, 'invalid_token', 'the token was issued by another issuer');
    if (typeof body.exp === 'number' && body.exp + (opts.clockTolerance ?? 5) < clock.now() / 1000)
      throw new AccessTokenError(401, 'invalid_token', 'the access token has expired');
    const aud = Array.isArray(body.aud) ? body.aud : body.aud === undefined ? [] : [body.aud];
    if (!aud.some((a) => audience.includes(a as string)))
      throw new AccessTokenError(401, 'invalid_token', 'the token is not meant for this audience');
    return {
      format,
      sub: typeof body.sub === 'string' ? body.sub : undefined,
      clientId: typeof body.client_id === 'string' ? body.client_id : undefined,
      scopes: typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : [],
      claims: body,
    };
  };

  const challenge = (err: AccessTokenError): string => {
    const parts = [`realm="${quoted(realm)}"`];
    if (err.scheme === 'DPoP') parts.push(`algs="${DPOP_SIGNING_ALGS.join(' ')}"`);
    if (err.code) parts.push(`error="${err.code}"`, `error_description="${quoted(err.message)}"`);
    if (err.code === 'insufficient_scope') parts.push(`scope="${quoted(required.join(' '))}"`);
    return `${err.scheme} ${parts.join(', ')}`;
  };

  const dpopOpts = opts.dpop ?? {};
  const recordJti = dpopOpts.recordJti ?? memoryJtiCache();
  /** RFC 9449 7.1: the proof of a DPoP-bound token, for this request and this token. */
  const checkDpop = async (req: Request, p: Presented, jkt: string | undefined): Promise<void> => {
    if (!jkt) {
      if (p.scheme === 'DPoP') throw new AccessTokenError(401, 'invalid_token', 'the access token is not DPoP-bound', 'DPoP');
      return;
    }
    if (p.scheme !== 'DPoP')
      throw new AccessTokenError(401, 'invalid_token', 'the access token is DPoP-bound: present it with the DPoP scheme', 'DPoP');
    const origin = dpopOpts.publicOrigin?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host') ?? ''}`;
    try {
      const proof = singleProof(req.headers.dpop);
      if (!proof) throw new DpopProofError('invalid_dpop_proof', 'a DPoP proof is required');
      const verified = await verifyProof(proof, {
        htm: req.method.toUpperCase(),
        htu: origin + req.originalUrl,
        accessToken: p.token,
        now: clock.seconds(),
        maxAgeSeconds: dpopOpts.maxAgeSeconds ?? 60,
        skewSeconds: 10,
        acceptNonce: dpopOpts.nonce?.accept,
        recordJti,
      });
      if (verified.jkt !== jkt)
        throw new AccessTokenError(401, 'invalid_token', 'the DPoP proof key does not match the access token', 'DPoP');
    } catch (err) {
      if (err instanceof DpopProofError) throw new AccessTokenError(401, err.code, err.message, 'DPoP');
      throw err;
    }
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    void (async () => {
      try {
        const p = presented(req);
        const token = p.token;
        const isJwt = token.split('.').length === 3;
        let verified: VerifiedAccessToken;
        if (isJwt) {
          verified = await verifyJwt(token);
          if (opts.introspection?.always) verified = { ...(await introspect(token, opts.introspection, 'jwt')), claims: verified.claims };
        } else if (opts.introspection) {
          verified = await introspect(token, opts.introspection, 'opaque');
        } else {
          throw new AccessTokenError(401, 'invalid_token', 'the access token is not a JWT and introspection is not configured');
        }
        const jkt = boundKey(verified.claims);
        await checkDpop(req, p, jkt);
        if (jkt) verified = { ...verified, jkt };
        const missing = required.filter((s) => !verified.scopes.includes(s));
        if (missing.length) throw new AccessTokenError(403, 'insufficient_scope', `the access token lacks: ${missing.join(' ')}`);
        res.locals.accessToken = verified;
        next();
      } catch (err) {
        if (err instanceof AccessTokenError) {
          res.setHeader('WWW-Authenticate', challenge(err));
          if (err.scheme === 'DPoP' && dpopOpts.nonce) res.setHeader('DPoP-Nonce', dpopOpts.nonce.current());
          res.setHeader('Cache-Control', 'no-store');
          res
            .status(err.status)
            .json(err.code ? { error: err.code, error_description: quoted(err.message) } : { error_description: quoted(err.message) });
          return;
        }
        next(err);
      }
    })();
  };
}

function describeJoseError(err: joseErrors.JOSEError): string {
  if (err instanceof joseErrors.JWTExpired) return 'the access token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `the access token's ${err.claim} claim is not valid here`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey)
    return 'the access token is not signed by this issuer';
  return 'the access token is not valid';
}
