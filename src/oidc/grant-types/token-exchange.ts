import { decodeProtectedHeader, type JWTPayload } from 'jose';
import { subjectFor } from '../../claims/subject.js';
import { oauthError } from '../../errors/oauth-error.js';
import { mayExchange } from '../../clients/client-policies.js';
import { resolveAccessToken } from '../../tokens/access-token-resolution.js';
import { issueAccessToken } from '../../tokens/access-tokens.js';
import {
  activeAuthorization,
  activeInStore,
  recordAuthorization,
  refreshFamilyEnd,
  revokeAuthorization,
  sessionAuthorizations,
  type AuthorizationRecord,
} from '../../tokens/authorizations.js';
import { findRefreshToken, openRefreshToken, sealRefreshToken } from '../../tokens/refresh-tokens.js';
import { verifyIssuedIdToken } from '../id-token-hint.js';
import { checkResourceUri } from '../resource-indicator.js';
import { parseScope } from '../scopes.js';
import { tokenTypeFor } from '../token/dpop-binding.js';
import type { GrantTypeContext, GrantTypeHandler } from '../token/grant-type.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 3: the token types this provider takes and issues. */
const TOKEN_TYPE = {
  access: 'urn:ietf:params:oauth:token-type:access_token',
  refresh: 'urn:ietf:params:oauth:token-type:refresh_token',
  id: 'urn:ietf:params:oauth:token-type:id_token',
} as const;

/**
 * RFC 8693 2.2.2: a subject or actor token that is invalid, or unacceptable by policy,
 * is `invalid_request` (not invalid_grant: the RFC says the error "MUST be" this code).
 */
const unacceptable = (why: string) => oauthError('invalid_request', why);

/** What the subject token stands for. */
interface Subject {
  type: 'access' | 'refresh' | 'id';
  /** The user's authorization behind it; null for a client_credentials access token. */
  grant: AuthorizationRecord | null;
  /** The subject token's `sub` (a client_credentials token: its client). */
  sub: string;
  /** The client it was issued to. */
  clientId: string;
  scopes: string[];
  /** When it expires (seconds); the exchanged token never outlives it. Null for a refresh token (its grant bounds it). */
  exp: number | null;
  /** Its own delegation chain, if it was itself issued by exchange. */
  act: Record<string, unknown> | null;
}

function single(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw oauthError('invalid_request', `${name} must be given once`);
  return v;
}

function several(body: Record<string, unknown>, name: string): string[] {
  const v = body[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  if (list.length > 10 || !list.every((x): x is string => typeof x === 'string' && x.length > 0 && x.length <= 512)) {
    throw oauthError('invalid_request', `${name} must be 1 to 10 non-empty values`);
  }
  return [...new Set(list)];
}

/**
 * An ID token this tenant issued to the requesting client, unexpired, signed with a
 * tenant key: never an HS256 one, which the client could have made with its own secret.
 */
async function verifiedIdToken(ctx: GrantTypeContext, token: string): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    // ID tokens carry no `typ`; access (at+jwt) and logout (logout+jwt) tokens are not ID tokens.
    const typ = decodeProtectedHeader(token).typ;
    if (typ !== undefined && typ.toUpperCase() !== 'JWT') throw new Error('not an ID token');
    payload = await verifyIssuedIdToken(ctx.rt, ctx.tenant, ctx.client.clientId, token);
  } catch {
    throw unacceptable('the ID token is invalid or was not issued to this client');
  }
  if (typeof payload.exp !== 'number' || payload.exp * 1000 <= ctx.tenant.clock.now()) throw unacceptable('the ID token has expired');
  if (typeof payload.sub !== 'string') throw unacceptable('the ID token has no subject');
  return payload;
}

/** RFC 9449: a DPoP-bound subject token is exchanged only with a proof of its key (else it would come back unbound). */
function checkBinding(ctx: GrantTypeContext, jkt: string | null | undefined): void {
  if (jkt && jkt !== ctx.dpop?.jkt) throw unacceptable('subject_token is DPoP-bound: send a DPoP proof with its key');
}

async function accessSubject(ctx: GrantTypeContext, token: string): Promise<Subject> {
  const at = await resolveAccessToken(ctx.rt, ctx.tenant, token);
  if (!at) throw unacceptable('subject_token is invalid, expired or revoked');
  // A public client cannot stand for a resource server: it may exchange only its own tokens.
  if (ctx.client.clientType === 'PUBLIC' && at.clientId !== ctx.client.clientId)
    throw unacceptable('a public client may exchange only its own tokens');
  // RFC 8693 5: the token's client (or audience) must allow this requester (client-policies.ts).
  const owner = at.clientId === ctx.client.clientId ? ctx.client : await ctx.rt.clients.find(ctx.tenant, at.clientId);
  if (!mayExchange(ctx.client, owner, at.clientId, at.audience))
    throw unacceptable('this client may not exchange tokens of that client or audience');
  checkBinding(ctx, at.jkt);
  return { type: 'access', grant: at.grant, sub: at.sub, clientId: at.clientId, scopes: at.scopes, exp: at.exp, act: at.act };
}

/** A refresh token is bound to its client: only that client may exchange it, and it is not used up. */
async function refreshSubject(ctx: GrantTypeContext, token: string): Promise<Subject> {
  const rec = await findRefreshToken(ctx.rt, ctx.tenant, token);
  if (!rec || rec.rotatedAt || rec.clientId !== ctx.client.clientId)
    throw unacceptable('subject_token is not a valid refresh token of this client');
  const grant = await activeAuthorization(ctx.rt, ctx.tenant, rec.grantId);
  if (!grant) throw unacceptable('subject_token was revoked');
  checkBinding(ctx, openRefreshToken(ctx.rt, ctx.tenant, token)?.jkt ?? null);
  return { type: 'refresh', grant, sub: '', clientId: rec.clientId, scopes: rec.scopes, exp: null, act: null };
}

/**
 * An ID token stands for the session grant it was issued with: found by its `sid` among
 * the client's active grants, and the one whose user has this `sub`. So a revoked grant
 * or an ended session makes the ID token unusable here, whatever its `exp` says.
 */
async function idSubject(ctx: GrantTypeContext, token: string): Promise<Subject> {
  const { payload, grant } = await liveIdToken(ctx, token);
  return {
    type: 'id',
    grant,
    sub: payload.sub!,
    clientId: ctx.client.clientId,
    scopes: grant.scopes.filter((s) => s !== 'offline_access'),
    exp: payload.exp!,
    act: null,
  };
}

/** A verified ID token and the live grant of its session and user; used for subjects and actors alike. */
async function liveIdToken(ctx: GrantTypeContext, token: string): Promise<{ payload: JWTPayload; grant: AuthorizationRecord }> {
  const payload = await verifiedIdToken(ctx, token);
  if (typeof payload.sid !== 'string' || !payload.sid) throw unacceptable('the ID token has no session (sid)');
  for (const grant of await sessionAuthorizations(ctx.rt, ctx.tenant, payload.sid, ctx.client.clientId)) {
    const user = await ctx.rt.users.find(ctx.tenant, grant.userId);
    if (user && !user.disabled && subjectFor(ctx.rt, ctx.tenant, ctx.client, user) === payload.sub) return { payload, grant };
  }
  throw unacceptable('the session of the ID token has ended');
}

function subject(ctx: GrantTypeContext, token: string, type: string): Promise<Subject> {
  if (token.length > 8192) throw unacceptable('subject_token is too long');
  if (type === TOKEN_TYPE.access) return accessSubject(ctx, token);
  if (type === TOKEN_TYPE.refresh) return refreshSubject(ctx, token);
  if (type === TOKEN_TYPE.id) return idSubject(ctx, token);
  throw unacceptable('subject_token_type is not supported');
}

/**
 * RFC 8693 4.1: the actor becomes the `act` claim, and an existing chain nests beneath
 * it (the current actor on top). Without an actor token the subject's chain is kept.
 */
async function actClaim(ctx: GrantTypeContext, subj: Subject): Promise<Record<string, unknown> | null> {
  const token = single(ctx.body, 'actor_token');
  const type = single(ctx.body, 'actor_token_type');
  if (!token) {
    if (type) throw oauthError('invalid_request', 'actor_token_type without actor_token');
    return subj.act;
  }
  if (!type) throw oauthError('invalid_request', 'actor_token_type is required with actor_token');
  let actor: Record<string, unknown>;
  if (type === TOKEN_TYPE.access) {
    const at = await resolveAccessToken(ctx.rt, ctx.tenant, token);
    if (!at) throw unacceptable('actor_token is invalid, expired or revoked');
    actor = at.sub === at.clientId ? { sub: at.sub } : { sub: at.sub, client_id: at.clientId };
  } else if (type === TOKEN_TYPE.id) {
    // Bound like a subject ID token: provider-signed and its session still live.
    actor = { sub: (await liveIdToken(ctx, token)).payload.sub! };
  } else {
    throw unacceptable('actor_token_type is not supported');
  }
  return subj.act ? { ...actor, act: subj.act } : actor;
}

/**
 * `audience` (logical names) and `resource` (absolute URIs, RFC 8707) must each be one of
 * the tenant's allowedAudiences; a refresh token is bound to its one client, so it is
 * never exchanged for another audience (RFC 8693 2.2.2 invalid_target).
 */
function targets(ctx: GrantTypeContext, subj: Subject): string[] {
  const audiences = several(ctx.body, 'audience');
  const resources = several(ctx.body, 'resource');
  if (audiences.length && subj.type === 'refresh')
    throw oauthError('invalid_target', 'a refresh token cannot be exchanged for another audience');
  for (const r of resources) checkResourceUri(r);
  const all = [...new Set([...audiences, ...resources])];
  const refused = all.filter((t) => !ctx.tenant.settings.allowedAudiences.includes(t));
  if (refused.length) throw oauthError('invalid_target', 'a requested audience or resource is not allowed in this tenant');
  return all;
}

/** Narrowing only: requested scopes must be the subject token's and the client's; by default the subject's the client may hold. */
function narrowedScopes(ctx: GrantTypeContext, subj: Subject): string[] {
  const requested = parseScope(ctx.body.scope);
  if (!requested.length) return subj.scopes.filter((s) => ctx.client.scopes.includes(s));
  const widened = requested.filter((s) => !subj.scopes.includes(s) || !ctx.client.scopes.includes(s));
  if (widened.length) throw oauthError('invalid_scope', 'the requested scope goes beyond the subject token or this client');
  return requested;
}

/** A client_credentials subject: no user and no grant, so only an access token. */
async function exchangeClientToken(
  ctx: GrantTypeContext,
  subj: Subject,
  scopes: string[],
  audience: string[],
  act: Record<string, unknown> | null,
) {
  const at = await issueAccessToken(ctx.rt, ctx.tenant, {
    client: ctx.client,
    sub: subj.sub,
    scopes,
    audience,
    act,
    notAfter: subj.exp ?? undefined,
    jkt: ctx.dpop?.jkt,
  });
  return {
    access_token: at.token,
    issued_token_type: TOKEN_TYPE.access,
    token_type: tokenTypeFor(ctx.dpop),
    expires_in: at.expiresIn,
    ...(scopes.length ? { scope: scopes.join(' ') } : {}),
  };
}

/**
 * A user subject: a grant for the requesting client is derived from the subject's, so
 * userinfo, refresh and revocation work for it as for any grant, and revoking the
 * subject's grant revokes it too. A refresh token needs offline access granted by the
 * user for the subject and asked for here (as in idpyoidc), and the refresh_token grant.
 */
async function exchangeUserToken(
  ctx: GrantTypeContext,
  subj: Subject,
  scopes: string[],
  audience: string[],
  act: Record<string, unknown> | null,
  wantsRefresh: boolean,
) {
  const { rt, tenant, client } = ctx;
  const parent = subj.grant!;
  const user = await rt.users.find(tenant, parent.userId);
  if (!user || user.disabled) throw unacceptable('the subject is no longer active');
  if (wantsRefresh) {
    if (!client.grantTypes.includes('refresh_token')) throw oauthError('unauthorized_client', 'this client may not hold refresh tokens');
    if (!parent.offlineAccess || !scopes.includes('offline_access'))
      throw unacceptable('a refresh token needs offline_access, granted for the subject token and requested');
  }
  const s = tenant.settings;
  const nowMs = ctx.tenant.clock.now();
  const bounds = [new Date(parent.expiresAt).getTime(), nowMs + ((wantsRefresh ? s.refreshTokenTtl : 0) + s.accessTokenTtl) * 1000];
  if (subj.exp !== null && !wantsRefresh) bounds.push(subj.exp * 1000);
  const accessScopes = scopes.filter((x) => x !== 'offline_access');
  const grant = await recordAuthorization(tenant, {
    userId: parent.userId,
    clientId: client.clientId,
    sid: parent.sid,
    scopes: wantsRefresh ? scopes : accessScopes,
    authTime: parent.authTime,
    acr: parent.acr,
    amr: parent.amr,
    resource: audience,
    offlineAccess: wantsRefresh,
    expiresAt: new Date(Math.min(...bounds)),
    parentId: parent._id,
    act,
  });
  // Revoked while we derived from it: its revocation may have missed the new grant.
  if (!(await activeInStore(tenant, parent._id))) {
    await revokeAuthorization(tenant, grant._id);
    throw unacceptable('subject_token was revoked');
  }

  if (wantsRefresh) {
    const expiresAt = new Date(Math.min(refreshFamilyEnd(tenant, grant).getTime(), new Date(grant.expiresAt).getTime()));
    const refresh = sealRefreshToken(rt, tenant, {
      grantId: grant._id,
      clientId: client.clientId,
      scopes,
      createdAt: new Date(nowMs),
      expiresAt,
      jkt: client.clientType === 'PUBLIC' ? ctx.dpop?.jkt : undefined,
    });
    // RFC 8693 2.2.1: the issued token is in access_token whatever its type; N_A: not an access token.
    return {
      access_token: refresh,
      issued_token_type: TOKEN_TYPE.refresh,
      token_type: 'N_A',
      expires_in: Math.floor((expiresAt.getTime() - nowMs) / 1000),
      scope: scopes.join(' '),
    };
  }
  const at = await issueAccessToken(rt, tenant, {
    client,
    sub: subjectFor(rt, tenant, client, user),
    scopes: accessScopes,
    audience,
    authorization: grant,
    user,
    jkt: ctx.dpop?.jkt,
  });
  return {
    access_token: at.token,
    issued_token_type: TOKEN_TYPE.access,
    token_type: tokenTypeFor(ctx.dpop),
    expires_in: at.expiresIn,
    scope: accessScopes.join(' '),
  };
}

/**
 * OAuth 2.0 Token Exchange (RFC 8693): an access, refresh or ID token of this tenant for
 * an access token (default) or a refresh token for the requesting client, with fewer
 * scopes, for allowed audiences, and delegated (`act`) when an actor token is given.
 * Only clients with this grant type in their grantTypes get here (token/index.ts): it
 * is off by default. An access token may be the subject only of an exchange by its own
 * client, by a client its audience names, or by one its client lists in
 * tokenExchangeClients (clients/client-policies.ts; docs/security.md).
 */
export const tokenExchange: GrantTypeHandler = async (ctx) => {
  const token = single(ctx.body, 'subject_token');
  const type = single(ctx.body, 'subject_token_type');
  if (!token || !type) throw oauthError('invalid_request', 'subject_token and subject_token_type are required');
  const requested = single(ctx.body, 'requested_token_type') ?? TOKEN_TYPE.access;
  if (requested !== TOKEN_TYPE.access && requested !== TOKEN_TYPE.refresh)
    throw oauthError('invalid_request', 'requested_token_type is not supported');

  const subj = await subject(ctx, token, type);
  const audience = targets(ctx, subj);
  const scopes = narrowedScopes(ctx, subj);
  const act = await actClaim(ctx, subj);
  if (!subj.grant) {
    if (requested === TOKEN_TYPE.refresh) throw unacceptable('a refresh token needs an end-user subject');
    return issued(ctx, null, await exchangeClientToken(ctx, subj, scopes, audience, act));
  }
  return issued(ctx, subj.grant.userId, await exchangeUserToken(ctx, subj, scopes, audience, act, requested === TOKEN_TYPE.refresh));
};

/** TOKEN_ISSUED for the tenant's event log and webhooks. */
function issued<T extends { issued_token_type: string; scope?: string }>(ctx: GrantTypeContext, userId: string | null, body: T): T {
  ctx.rt.events.emit(ctx.tenant, {
    type: 'TOKEN_ISSUED',
    userId,
    clientId: ctx.client.clientId,
    data: {
      grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
      issuedTokenType: body.issued_token_type,
      scope: body.scope ?? '',
    },
  });
  return body;
}
