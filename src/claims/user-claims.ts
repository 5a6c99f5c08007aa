import type { UserRecord } from '../users/user-record.js';
import { standardScopeClaims, standardUserClaims, type ScopeClaimMap } from './standard-claims.js';

/** One member (`userinfo` or `id_token`) of the `claims` request parameter (OIDC Core 5.5). */
export type RequestedClaims = Readonly<Record<string, unknown>>;

export interface ClaimSelection {
  /** Scopes whose claims are released (OIDC Core 5.4); empty to release none by scope. */
  scopes: readonly string[];
  /** Claims asked for individually with the `claims` parameter. */
  requested?: RequestedClaims | null;
  scopeClaims?: ScopeClaimMap;
  /** Claims a `claims` request may ask for; standard user claims by default. */
  requestable?: readonly string[];
}

/** Names of the user claims a selection releases. */
export function selectedClaimNames(sel: ClaimSelection): Set<string> {
  const map = sel.scopeClaims ?? standardScopeClaims;
  const names = new Set<string>();
  for (const scope of sel.scopes) for (const c of map[scope] ?? []) names.add(c);
  const requestable = new Set(sel.requestable ?? standardUserClaims);
  for (const c of Object.keys(sel.requested ?? {})) if (requestable.has(c)) names.add(c);
  return names;
}

/** The user's stored claims (standard ones and custom attributes). */
export function storedClaims(user: UserRecord): Record<string, unknown> {
  try {
    const parsed = JSON.parse(user.claims || '{}') as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Empty values say nothing; OIDC Core 5.3.2 lets them be omitted, and we do. */
export function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isEmpty);
  return false;
}

/** The user's claims released by a selection, empty ones dropped. `sub` is not included. */
export function releasedClaims(user: UserRecord, sel: ClaimSelection): Record<string, unknown> {
  const stored = storedClaims(user);
  const out: Record<string, unknown> = {};
  for (const name of selectedClaimNames(sel)) {
    const v = stored[name];
    if (!isEmpty(v)) out[name] = name === 'address' ? compactAddress(v as Record<string, unknown>) : v;
  }
  return out;
}

function compactAddress(a: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(a).filter(([, v]) => !isEmpty(v)));
}
