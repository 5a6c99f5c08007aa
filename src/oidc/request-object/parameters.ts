import type { JWTPayload } from 'jose';

/** JWT claims of the object itself, not authorization request parameters. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sub']);

export interface RequestObjectParameters {
  /** Single-valued parameters as strings, the way they would arrive in a query. */
  params: Map<string, string>;
  /** `resource` values (RFC 8707), when the object carries any. */
  resources?: string[];
}

/**
 * The authorization request parameters a verified request object carries, in the
 * string form of the query: numbers (max_age) and booleans as text, JSON objects
 * (claims) serialized, so the endpoint's steps read them like any other parameter.
 */
export function requestObjectParameters(payload: JWTPayload): RequestObjectParameters {
  const params = new Map<string, string>();
  let resources: string[] | undefined;
  for (const [name, value] of Object.entries(payload)) {
    if (JWT_CLAIMS.has(name) || value === null || value === undefined || value === '') continue;
    if (name === 'resource') {
      resources = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
      if (resources[0]) params.set(name, resources[0]);
      continue;
    }
    params.set(
      name,
      typeof value === 'string'
        ? value
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value as string | number | boolean | bigint),
    );
  }
  return resources ? { params, resources } : { params };
}
