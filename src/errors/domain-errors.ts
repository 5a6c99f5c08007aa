/**
 * Errors of the services layer. Each surface maps them: admin → GraphQL extensions.code,
 * oidc → OAuth error codes.
 */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
    /** The RFC 7591 code this maps to at the registration endpoint. */
    readonly oauthCode: 'invalid_client_metadata' | 'invalid_redirect_uri' | 'invalid_request' = 'invalid_client_metadata',
  ) {
    super(message);
    this.name = 'InputError';
  }
}

export class ConflictError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class NotFoundError extends Error {
  constructor(readonly what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
  }
}
