/** Names both servers under test share, so every scenario sends the same requests to each. */

export const BENCH_CLIENTS = {
  /** client_credentials, JWT access tokens. */
  cc: { id: 'bench-cc', secret: 'bench-cc-secret-0123456789abcdef0123456789' },
  /** client_credentials, opaque access tokens (for opaque introspection). */
  ccOpaque: { id: 'bench-cc-opaque', secret: 'bench-cc-opaque-secret-0123456789abcdef01' },
  /** authorization_code + refresh_token relying party; also the introspecting client. */
  rp: { id: 'bench-rp', secret: 'bench-rp-secret-0123456789abcdef0123456789' },
} as const;

export const BENCH_REDIRECT_URI = 'http://127.0.0.1:9/cb';
/** The resource indicator oidc-provider needs to issue JWT access tokens. */
export const BENCH_RESOURCE = 'urn:gatehouse:bench-api';
export const BENCH_USER = {
  sub: 'bench-user',
  username: 'bench-user',
  password: 'bench-password-0123456789',
  email: 'bench@example.com',
  name: 'Bench User',
};

/** Tenants every pass creates by name. */
export const NAMED_TENANTS = [
  { slug: 'bench-rs256', alg: 'RS256' },
  { slug: 'bench-es256', alg: 'ES256' },
] as const;

export interface OpSpec {
  port: number;
  tenants: { slug: string; alg: string }[];
  generated?: { prefix: string; count: number; alg: string; maxSeconds: number; maxRssMb: number };
  /** Keep state in this MongoDB database (the same-database reference) instead of in memory. */
  database?: { uri: string; name: string };
}

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
