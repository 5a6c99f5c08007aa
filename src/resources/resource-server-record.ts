/**
 * A resource server (an API) of a tenant that clients name with RFC 8707 `resource`:
 * access tokens for it carry its identifier as `aud`, only the scopes it accepts, and
 * its format and lifetime (docs/token-services.md "Resource indicators").
 */
export interface ResourceServerRecord {
  _id: string;
  tenantId: string;
  /** The `resource` value clients send and the `aud` of its tokens: an absolute URI without a fragment. */
  identifier: string;
  name: string;
  /** Scopes an access token for this resource may carry (the granted ones it accepts). */
  scopes: string[];
  accessTokenFormat: 'jwt' | 'opaque';
  /** Seconds; null: the tenant's accessTokenTtl. */
  accessTokenTtl: number | null;
  /** Client ids that may ask for it; null: every client of the tenant. */
  allowedClients: string[] | null;
  createdAt: Date;
  updatedAt: Date;
}
