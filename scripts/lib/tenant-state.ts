import type { AdminApi } from './admin-api.js';

/** A tenant as the admin API shows it: what the plan compares a tenant file with. */
export interface CurrentClient {
  clientId: string;
  name: string;
  clientType: 'CONFIDENTIAL' | 'PUBLIC';
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: string[];
  responseTypes: string[];
  scopes: string[];
  tokenEndpointAuthMethod: string;
  idTokenSignedResponseAlg: string;
  userinfoSignedResponseAlg: string | null;
  requireConsent: boolean;
  reuseConsent: boolean;
  accessTokenFormat: 'JWT' | 'OPAQUE';
  subjectType: string | null;
  jwksUri: string | null;
  jwks: Record<string, unknown> | null;
  clientUri: string | null;
  logoUri: string | null;
  tosUri: string | null;
  policyUri: string | null;
  contacts: string[];
  canIntrospect: boolean;
  tokenExchangeClients: string[];
  sectorIdentifierUri: string | null;
  requestUris: string[];
  requestObjectSigningAlg: string | null;
  requirePushedAuthorizationRequests: boolean;
  requireSignedRequestObject: boolean;
  backchannelLogoutUri: string | null;
  backchannelLogoutSessionRequired: boolean;
  frontchannelLogoutUri: string | null;
  frontchannelLogoutSessionRequired: boolean;
  dpopBoundAccessTokens: boolean;
}

export interface CurrentClaimResolver {
  name: string;
  kind: 'MAPPING' | 'CODE' | 'WEBHOOK';
  targets: ('ID_TOKEN' | 'ACCESS_TOKEN' | 'USERINFO')[];
  mapping: {
    path: string | null;
    template: string | null;
    constant: unknown;
    type: 'STRING' | 'BOOLEAN' | 'NUMBER' | 'ARRAY' | 'OBJECT';
  } | null;
  code: string | null;
  webhook: { url: string; timeoutMs: number; cacheTtlSeconds: number } | null;
}

export interface CurrentHook {
  point: 'AFTER_LOGIN' | 'ID_TOKEN_PROCESSING' | 'SUB_GENERATOR' | 'AFTER_END_SESSION';
  kind: 'CODE' | 'WEBHOOK';
  code: string | null;
  webhook: { url: string; timeoutMs: number } | null;
  failClosed: boolean;
}

export interface CurrentEventWebhook {
  name: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
}

export interface CurrentResourceServer {
  identifier: string;
  name: string;
  scopes: string[];
  accessTokenFormat: 'JWT' | 'OPAQUE';
  accessTokenTtl: number | null;
  allowedClients: string[] | null;
}

export interface CurrentTenant {
  slug: string;
  displayName: string;
  issuer: string;
  branding: { logoUrl: string | null; primaryColor: string | null };
  settings: Record<string, unknown>;
  overriddenSettings: string[];
  scopes: { name: string; displayName: string; description: string; claims: string[] }[];
  claimResolvers: CurrentClaimResolver[];
  hooks: CurrentHook[];
  eventWebhooks: CurrentEventWebhook[];
  resourceServers: CurrentResourceServer[];
  clients: CurrentClient[];
  users: { id: string; username: string; claims: Record<string, unknown>; disabled: boolean }[];
}

export const CLIENT_FIELDS = `clientId name clientType redirectUris postLogoutRedirectUris grantTypes responseTypes scopes tokenEndpointAuthMethod
  idTokenSignedResponseAlg userinfoSignedResponseAlg requireConsent reuseConsent accessTokenFormat subjectType jwksUri jwks clientUri logoUri tosUri policyUri contacts
  canIntrospect tokenExchangeClients sectorIdentifierUri requestUris requestObjectSigningAlg
  requirePushedAuthorizationRequests requireSignedRequestObject
  backchannelLogoutUri backchannelLogoutSessionRequired frontchannelLogoutUri frontchannelLogoutSessionRequired
  dpopBoundAccessTokens`;

const TENANT = `query($slug: String!) { tenant(slug: $slug) {
  slug displayName issuer branding { logoUrl primaryColor }
  settings { signingAlg codeTtl idTokenTtl accessTokenTtl refreshTokenTtl refreshTokenReuseGraceSeconds consentTtl sessionTtl subjectType dynamicRegistration passwordGrant keyRotationDays allowedGrantTypes allowedAudiences passwordAcr keyFamilies requireRequestUriRegistration allowUnsignedRequestObjects resourceIndicators
    deviceFlow deviceCodeLifetime devicePollingInterval
    pushedAuthorizationRequests requirePushedAuthorizationRequests requireSignedRequestObject securityProfile
    dpop dpopNonce }
  overriddenSettings scopes { name displayName description claims }
  claimResolvers { name kind targets mapping { path template constant type } code webhook { url timeoutMs cacheTtlSeconds } }
  hooks { point kind code webhook { url timeoutMs } failClosed }
  eventWebhooks { name url eventTypes enabled } } }`;
const RESOURCE_SERVERS = `query($slug: String!, $after: String) { tenant(slug: $slug) { resourceServers(first: 100, after: $after) {
  edges { node { identifier name scopes accessTokenFormat accessTokenTtl allowedClients } } pageInfo { hasNextPage endCursor } } } }`;
const CLIENTS = `query($slug: String!, $after: String) { clients(tenant: $slug, first: 100, after: $after) { edges { node { ${CLIENT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const USERS = `query($slug: String!, $after: String) { users(tenant: $slug, first: 100, after: $after) { edges { node { id username claims disabled } } pageInfo { hasNextPage endCursor } } }`;

async function all<T>(api: AdminApi, query: string, slug: string, key: string): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (;;) {
    const data: Record<string, { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }> = await api.gql(
      query,
      { slug, after },
    );
    const conn = data[key]!;
    out.push(...conn.edges.map((e) => e.node));
    if (!conn.pageInfo.hasNextPage) return out;
    after = conn.pageInfo.endCursor;
  }
}

type Connection<T> = { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function resourceServers(api: AdminApi, slug: string): Promise<CurrentResourceServer[]> {
  const out: CurrentResourceServer[] = [];
  for (let after: string | null = null; ;) {
    const data: { tenant: { resourceServers: Connection<CurrentResourceServer> } } = await api.gql(RESOURCE_SERVERS, { slug, after });
    out.push(...data.tenant.resourceServers.edges.map((e) => e.node));
    if (!data.tenant.resourceServers.pageInfo.hasNextPage) return out;
    after = data.tenant.resourceServers.pageInfo.endCursor;
  }
}

/** The tenant with all its clients and users, or null when it does not exist. */
export async function fetchTenant(api: AdminApi, slug: string, opts: { users?: boolean } = {}): Promise<CurrentTenant | null> {
  const { tenant: found } = await api.gql<{ tenant: Omit<CurrentTenant, 'clients' | 'users' | 'resourceServers'> | null }>(TENANT, {
    slug,
  });
  if (!found) return null;
  const tenant = { ...found, resourceServers: await resourceServers(api, slug) };
  const clients = await all<CurrentClient>(api, CLIENTS, slug, 'clients');
  const users = opts.users === false ? [] : await all<CurrentTenant['users'][number]>(api, USERS, slug, 'users');
  return { ...tenant, clients, users: users.map((u) => ({ ...u, claims: u.claims ?? {} })) };
}
