import { createHash, randomBytes } from 'node:crypto';
import { createClient, createTenant, createUser, type CreatedClient } from './admin.js';
import type { TestServer } from './server.js';

/**
 * Two tenants with the clients and users the authorization tests need. `acme` has
 * branding; `globex` has a user with the same username (a different person).
 */
export const RP = 'https://rp.example.com/cb';
export const RP_WITH_QUERY = 'https://rp.example.com/cb2?keep=1';
export const SPA = 'https://spa.example.com/callback';
export const PASSWORD = 'correct horse battery staple';
export const GLOBEX_PASSWORD = 'globex password 123';
export const ALL_RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];

export interface Fixture {
  /** Confidential, every response type, consent required and reused. */
  web: CreatedClient;
  /** Public (PKCE required), code only. */
  spa: CreatedClient;
  /** Confidential, one redirect URI, requireConsent=false. */
  trusted: CreatedClient;
  /** Confidential, reuseConsent=false. */
  forgetful: CreatedClient;
  /** Confidential, code only (for unauthorized_client). */
  codeOnly: CreatedClient;
  globexWeb: CreatedClient;
  users: { alice: string; bob: string; carol: string; dave: string; erin: string; globexAlice: string };
}

export async function setupFixture(srv: TestServer): Promise<Fixture> {
  await createTenant(srv, 'acme', 'Acme Corporation', {
    branding: { primaryColor: '#0a7d4f', logoUrl: null },
    scopes: [{ name: 'api:read', displayName: 'Read your projects', description: 'See the projects and tasks in your Acme workspace.' }],
  });
  await createTenant(srv, 'globex', 'Globex');
  const scopes = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'api:read', 'api:write'];
  const browserGrants = ['authorization_code', 'refresh_token', 'implicit'];
  const [web, spa, trusted, forgetful, codeOnly, globexWeb] = await Promise.all([
    createClient(srv, 'acme', {
      name: 'Acme <Web> & "Co"',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP, RP_WITH_QUERY],
      grantTypes: browserGrants,
      responseTypes: ALL_RESPONSE_TYPES,
      scopes,
    }),
    createClient(srv, 'acme', { name: 'Acme SPA', clientType: 'PUBLIC', redirectUris: [SPA], scopes }),
    createClient(srv, 'acme', { name: 'Acme Intranet', clientType: 'CONFIDENTIAL', redirectUris: [RP], requireConsent: false, scopes }),
    createClient(srv, 'acme', { name: 'Acme Forgetful', clientType: 'CONFIDENTIAL', redirectUris: [RP], reuseConsent: false, scopes }),
    createClient(srv, 'acme', { name: 'Acme Code Only', clientType: 'CONFIDENTIAL', redirectUris: [RP], scopes }),
    createClient(srv, 'globex', {
      name: 'Globex Web',
      clientType: 'CONFIDENTIAL',
      redirectUris: [RP],
      grantTypes: browserGrants,
      responseTypes: ALL_RESPONSE_TYPES,
      scopes,
    }),
  ]);
  const claims = { name: 'Alice Liddell', email: 'alice@acme.example', email_verified: true };
  const [alice, bob, carol, dave, erin, globexAlice] = await Promise.all([
    createUser(srv, 'acme', 'alice', PASSWORD, claims),
    createUser(srv, 'acme', 'bob', PASSWORD, { name: 'Bob' }),
    createUser(srv, 'acme', 'carol', PASSWORD),
    createUser(srv, 'acme', 'dave', PASSWORD),
    createUser(srv, 'acme', 'erin', PASSWORD),
    createUser(srv, 'globex', 'alice', GLOBEX_PASSWORD, { name: 'Alice of Globex' }),
  ]);
  return { web, spa, trusted, forgetful, codeOnly, globexWeb, users: { alice, bob, carol, dave, erin, globexAlice } };
}

export function authorizeUrl(srv: TestServer, slug: string, params: Record<string, string>): string {
  return `${srv.issuer(slug)}/authorize?${new URLSearchParams(params)}`;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const randomValue = (): string => randomBytes(12).toString('base64url');
