import { oauthError } from '../../errors/oauth-error.js';
import type { ClaimRequestEntry, ClaimsRequest } from '../authorization-result.js';
import type { AuthorizeContext } from './context.js';

const MAX_CLAIMS = 100;

function member(value: unknown, where: string): Record<string, ClaimRequestEntry | null> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw oauthError('invalid_request', `claims.${where} must be a JSON object`);
  const out: Record<string, ClaimRequestEntry | null> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_CLAIMS) throw oauthError('invalid_request', `claims.${where} requests too many claims`);
  for (const [name, spec] of entries) {
    if (!name || name.length > 256) throw oauthError('invalid_request', `claims.${where} has an invalid claim name`);
    if (spec === null) {
      out[name] = null;
      continue;
    }
    if (typeof spec !== 'object' || Array.isArray(spec))
      throw oauthError('invalid_request', `each member of claims.${where} must be null or an object`);
    const s = spec as Record<string, unknown>;
    const entry: ClaimRequestEntry = {};
    if (s.essential !== undefined) {
      if (typeof s.essential !== 'boolean') throw oauthError('invalid_request', `essential in claims.${where} must be a boolean`);
      entry.essential = s.essential;
    }
    if (s.value !== undefined) entry.value = s.value;
    if (s.values !== undefined) {
      if (!Array.isArray(s.values)) throw oauthError('invalid_request', `values in claims.${where} must be an array`);
      entry.values = s.values;
    }
    out[name] = entry;
  }
  return out;
}

/** The `claims` request parameter (OIDC Core 5.5): JSON, with `userinfo` and `id_token` members. */
export function checkClaims(ctx: AuthorizeContext): void {
  const raw = ctx.params.get('claims');
  if (raw === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw oauthError('invalid_request', 'claims is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw oauthError('invalid_request', 'claims must be a JSON object');
  const p = parsed as Record<string, unknown>;
  const claims: ClaimsRequest = {};
  const userinfo = member(p.userinfo, 'userinfo');
  const idToken = member(p.id_token, 'id_token');
  if (userinfo) claims.userinfo = userinfo;
  if (idToken) claims.id_token = idToken;
  if (claims.userinfo && !ctx.request.responseType!.split(' ').some((t) => t === 'code' || t === 'token')) {
    throw oauthError('invalid_request', 'claims.userinfo needs a response type that returns an access token');
  }
  ctx.request.claims = claims;
}

/** Every claim name a claims request asks for (consent covers these too). */
export function requestedClaimNames(claims: ClaimsRequest | undefined): string[] {
  if (!claims) return [];
  return [...new Set([...Object.keys(claims.userinfo ?? {}), ...Object.keys(claims.id_token ?? {})])].sort();
}
