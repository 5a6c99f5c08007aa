import type { Runtime } from '../runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { AuthorizationRecord } from './authorization-record.js';

/*
 * The sealed form of an authorization code (docs/token-services.md "Authorization codes"):
 * the code carries its own record — client, redirect_uri, PKCE challenge, DPoP key binding, lifetime and a
 * copy of its authorization — encrypted and authenticated (AES-256-GCM under the
 * deployment's token key, the tenant's id in the AAD), as refresh tokens and PAR
 * request_uris are. Issuing one writes nothing; redeeming it writes one document, the
 * record that it was used (tokens/authorization-codes.ts).
 */

/** What a sealed code says about itself. */
export interface SealedCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  /** RFC 9449 10: the JWK thumbprint of the DPoP key that alone may redeem the code (`dpop_jkt`); null when unbound. */
  dpopJkt: string | null;
  createdAt: Date;
  expiresAt: Date;
  authorization: AuthorizationRecord;
}

const context = (tenant: TenantContext): string => `authorization-code|${tenant.id}`;

const ms = (d: Date): number => new Date(d).getTime();

/** Seals a code; short keys because the code travels in the redirect URL. */
export function sealCode(rt: Runtime, tenant: TenantContext, c: SealedCode): string {
  const a = c.authorization;
  const body = JSON.stringify({
    c: c.clientId,
    r: c.redirectUri,
    p: c.codeChallenge,
    // Only when bound: an unbound code stays as short as before.
    ...(c.dpopJkt ? { j: c.dpopJkt } : {}),
    i: ms(c.createdAt),
    e: ms(c.expiresAt),
    a: {
      i: a._id,
      u: a.userId,
      s: a.sid,
      sc: a.scopes,
      cl: a.claims,
      t: a.authTime,
      ac: a.acr,
      am: a.amr,
      n: a.nonce,
      rs: a.resource,
      o: a.offlineAccess,
      ci: ms(a.createdAt),
      ei: ms(a.expiresAt),
      ...(a.clientId !== c.clientId ? { k: a.clientId } : {}),
      ...(a.parentGrantId ? { pg: a.parentGrantId } : {}),
      ...(a.act ? { x: a.act } : {}),
    },
  });
  return rt.envelope.sealToken(body, context(tenant));
}

const str = (v: unknown): v is string => typeof v === 'string';
const strOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every(str);

type Packed = Record<string, unknown>;

function unpackAuthorization(tenant: TenantContext, clientId: string, a: Packed): AuthorizationRecord | null {
  if (!str(a.i) || !str(a.u) || !str(a.s) || !strings(a.sc) || !strOrNull(a.cl) || typeof a.t !== 'number') return null;
  if (!strOrNull(a.ac) || !strings(a.am) || !strOrNull(a.n) || !strings(a.rs) || typeof a.o !== 'boolean') return null;
  if (typeof a.ci !== 'number' || typeof a.ei !== 'number') return null;
  return {
    _id: a.i,
    tenantId: tenant.id,
    userId: a.u,
    clientId: str(a.k) ? a.k : clientId,
    sid: a.s,
    scopes: a.sc,
    claims: a.cl,
    authTime: a.t,
    acr: a.ac,
    amr: a.am,
    nonce: a.n,
    resource: a.rs,
    offlineAccess: a.o,
    createdAt: new Date(a.ci),
    expiresAt: new Date(a.ei),
    revokedAt: null,
    parentGrantId: str(a.pg) ? a.pg : null,
    act: str(a.x) ? a.x : null,
  };
}

/** The contents of a code sealed for this tenant; null for anything else (forged, altered, another tenant's, not sealed). */
export function openSealedCode(rt: Runtime, tenant: TenantContext, code: string): SealedCode | null {
  if (!/^[A-Za-z0-9_-]+$/.test(code)) return null;
  const raw = rt.envelope.openToken(code, context(tenant));
  if (!raw) return null;
  try {
    const v = JSON.parse(raw.toString('utf8')) as Packed;
    if (!str(v.c) || !str(v.r) || !strOrNull(v.p) || typeof v.i !== 'number' || typeof v.e !== 'number') return null;
    if (typeof v.a !== 'object' || v.a === null) return null;
    if (v.j !== undefined && !str(v.j)) return null;
    const authorization = unpackAuthorization(tenant, v.c, v.a as Packed);
    if (!authorization) return null;
    return {
      clientId: v.c,
      redirectUri: v.r,
      codeChallenge: v.p,
      dpopJkt: str(v.j) ? v.j : null,
      createdAt: new Date(v.i),
      expiresAt: new Date(v.e),
      authorization,
    };
  } catch {
    return null;
  }
}
