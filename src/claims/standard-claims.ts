/**
 * The standard claims of OIDC Core 5.1 and the scopes that release them (5.4).
 * Custom scopes and claim resolvers (a later addition) extend this map per tenant; the
 * functions in user-claims.ts take the map as an argument for that reason.
 */
export type ScopeClaimMap = Readonly<Record<string, readonly string[]>>;

export const standardScopeClaims: ScopeClaimMap = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};

/** Every claim a user record may hold that the provider releases as a standard claim. */
export const standardUserClaims: readonly string[] = Object.values(standardScopeClaims).flat();

/** Scopes with a standard meaning (announced in discovery). */
export const standardScopes = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'] as const;

/** Claims the provider asserts itself (in ID tokens), besides the user's claims. */
export const protocolClaims = ['sub', 'iss', 'auth_time', 'acr', 'amr', 'sid'] as const;

/**
 * Claims that belong to the protocol: no claim resolver, scope definition, `claims`
 * request or ID token processing hook can set, change or remove them.
 */
export const PROTECTED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
  'cnf',
  'scope',
  'client_id',
  'gid',
  'act',
  'may_act',
  'typ',
]);
