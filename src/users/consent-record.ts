/** What a user allowed a client, until `expiresAt` (tenant setting consentTtl). */
export interface ConsentRecord {
  _id: string;
  tenantId: string;
  userId: string;
  clientId: string;
  scopes: string[];
  /**
   * Names of individually requested claims (the `claims` parameter), serialized JSON:
   * claim names such as `https://example.com/roles` cannot be field names or safe keys.
   */
  claims: string;
  grantedAt: Date;
  expiresAt: Date;
}
