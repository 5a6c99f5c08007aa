import type { EncryptedBlob } from '../keys/key-record.js';

export type ClientType = 'CONFIDENTIAL' | 'PUBLIC';

export interface ClientRecord {
  _id: string;
  tenantId: string;
  clientId: string;
  name: string;
  clientType: ClientType;
  /** HMAC-SHA256 of the secret under a key derived from the master key; never the secret. */
  secretHash?: string | null;
  /**
   * The secret itself, encrypted, kept only when a symmetric algorithm needs it
   * (client_secret_jwt, HS256 ID tokens): a hash cannot verify an HMAC.
   */
  secretEncrypted?: EncryptedBlob | null;
  secretRotatedAt?: Date | null;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: string[];
  responseTypes: string[];
  scopes: string[];
  tokenEndpointAuthMethod: string;
  idTokenSignedResponseAlg: string;
  requireConsent: boolean;
  reuseConsent: boolean;
  accessTokenFormat: 'jwt' | 'opaque';
  /**
   * May introspect any token of the tenant (a resource server); without it only tokens
   * issued to it or naming it in their audience. Null (records from before the setting):
   * the default of clients/client-policies.ts.
   */
  canIntrospect?: boolean | null;
  /** Other clients that may exchange (RFC 8693) tokens issued to this client. */
  tokenExchangeClients?: string[];
  /** Further RFC 7591 metadata under their RFC 7591 names (client_uri, logo_uri, jwks_uri, subject_type, …), serialized JSON. */
  metadata: string;
  /** Keyed hash of the RFC 7592 registration access token, for dynamically registered clients. */
  registrationTokenHash?: string | null;
  /** A disabled client does not exist for the protocol endpoints (clients/client-directory.ts); absent = enabled. */
  disabled?: boolean;
  /**
   * Who registered a dynamically registered client (RFC 7591): an anonymous registrant
   * (OPEN tenants) or one holding an initial access token. Its RFC 7592 updates are held to
   * the same rules; absent on admin-created clients (and on clients registered before the
   * field existed, which are held to the anonymous rules).
   */
  registeredWith?: 'anonymous' | 'initial_access_token' | null;
  createdAt: Date;
  updatedAt: Date;
}
