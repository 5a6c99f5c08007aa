export interface UserRecord {
  _id: string;
  tenantId: string;
  username: string;
  /** Lower-cased username: usernames are unique per tenant regardless of case. */
  usernameKey: string;
  /** argon2id PHC string. */
  passwordHash: string;
  /**
   * Standard OIDC claims and custom attributes, serialized JSON: claim names such as
   * `https://example.com/roles` cannot be MongoDB field names on every server.
   */
  claims: string;
  /** Copied out of claims for search. */
  email?: string | null;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}
