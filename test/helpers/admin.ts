import { ADMIN_ID, ADMIN_SECRET, type TestServer } from './server.js';

export interface GqlResult<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; field?: string } & Record<string, unknown> }[];
}

/** client_credentials at the `system` tenant, exactly as admin tooling does it. */
export async function adminToken(srv: TestServer, scope = 'admin', id = ADMIN_ID, secret = ADMIN_SECRET): Promise<string> {
  const res = await fetch(`${srv.url}/t/system/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no admin token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

export async function gql<T = Record<string, any>>(
  srv: TestServer,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string | null,
): Promise<GqlResult<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as GqlResult<T>;
  return { ...body, status: res.status };
}

/** Runs an operation that must succeed; throws with the errors otherwise. */
export async function gqlOk<T = Record<string, any>>(
  srv: TestServer,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const r = await gql<T>(srv, query, variables, token ?? (await adminToken(srv)));
  if (r.errors?.length || !r.data) throw new Error(`GraphQL failed: ${JSON.stringify(r.errors)}`);
  return r.data;
}

export async function createTenant(
  srv: TestServer,
  slug: string,
  displayName = `Tenant ${slug}`,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await gqlOk(srv, `mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { slug } } }`, {
    input: { slug, displayName, ...extra },
  });
}

export interface CreatedClient {
  clientId: string;
  clientSecret: string | null;
}

export async function createClient(srv: TestServer, tenant: string, input: Record<string, unknown>): Promise<CreatedClient> {
  const data = await gqlOk<{ createClient: { client: { clientId: string }; clientSecret: string | null } }>(
    srv,
    `mutation($tenant: String!, $input: CreateClientInput!) { createClient(tenant: $tenant, input: $input) { client { clientId } clientSecret } }`,
    { tenant, input: { redirectUris: [], ...input } },
  );
  return { clientId: data.createClient.client.clientId, clientSecret: data.createClient.clientSecret };
}

export async function createUser(
  srv: TestServer,
  tenant: string,
  username: string,
  password: string,
  claims: Record<string, unknown> = {},
): Promise<string> {
  const data = await gqlOk<{ createUser: { id: string } }>(
    srv,
    `mutation($tenant: String!, $input: CreateUserInput!) { createUser(tenant: $tenant, input: $input) { id } }`,
    { tenant, input: { username, password, claims } },
  );
  return data.createUser.id;
}

/** client_credentials with client_secret_basic at any tenant. */
export async function clientCredentials(
  srv: TestServer,
  tenant: string,
  id: string,
  secret: string,
  params: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${srv.url}/t/${tenant}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
  });
}
