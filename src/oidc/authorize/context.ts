import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { ClaimsRequest } from '../authorization-result.js';
import type { EndpointInput } from '../endpoint.js';

export type ResponseMode = 'query' | 'fragment' | 'form_post';

/**
 * A validated authorization request. It is JSON-serializable: a pending interaction
 * stores it, and the resume step continues with exactly what was validated.
 */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** Normalised order: `code`, `id_token`, `id_token token`, `code id_token`, `code token`, `code id_token token`. */
  responseType: string;
  responseMode: ResponseMode;
  /** Requested scopes, allowed for the client; `offline_access` only when it may be granted. */
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256';
  prompt: string[];
  maxAge?: number;
  claims?: ClaimsRequest;
  /** `sub` of a verified id_token_hint. */
  idTokenHintSub?: string;
  loginHint?: string;
  acrValues?: string[];
  uiLocale?: string;
  resource?: string[];
  /** RFC 9449 10: the thumbprint of the DPoP key the code is bound to (`dpop_jkt`, or PAR's DPoP proof). */
  dpopJkt?: string;
}

/** What the steps of the authorization endpoint share while a request is processed. */
export interface AuthorizeContext {
  rt: Runtime;
  tenant: TenantContext;
  /** Absent at the PAR endpoint (oidc/par/), which validates with the same steps. */
  input?: EndpointInput;
  /** Single-valued parameters; empty values count as absent (RFC 6749 section 3.1). */
  params: Map<string, string>;
  /** Names of parameters that were sent more than once. */
  repeated: Set<string>;
  /** Every value of `resource`, the one parameter that may repeat (RFC 8707). */
  resources: string[];
  client?: ClientRecord;
  /**
   * Set once redirect_uri is validated against the client's registered list: from then
   * on errors go back to it; before, they are rendered as an HTML page.
   */
  redirectUri?: string;
  responseMode?: ResponseMode;
  state?: string;
  request: Partial<AuthorizationRequest>;
  /** The request was pushed (RFC 9126): at the PAR endpoint, or taken from its request_uri. */
  pushed?: boolean;
  /** The parameters came from a signed (not `alg: none`) request object (RFC 9101). */
  signedRequestObject?: boolean;
  /** At PAR: the key thumbprint of the request's verified DPoP proof, which binds the code (RFC 9449 10.1). */
  dpopProofJkt?: string;
}

export type AuthorizeStep = (ctx: AuthorizeContext) => Promise<void> | void;

/** Parameters that may legitimately be sent more than once. */
const MULTI_VALUED = new Set(['resource']);

/** Reads the query (GET) or the form body (POST); repeated parameters are remembered, not merged. */
export function readParams(source: unknown): Pick<AuthorizeContext, 'params' | 'repeated' | 'resources'> {
  const params = new Map<string, string>();
  const repeated = new Set<string>();
  const resources: string[] = [];
  if (source && typeof source === 'object') {
    for (const [name, raw] of Object.entries(source as Record<string, unknown>)) {
      const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string' && v !== '');
      if (name === 'resource') resources.push(...values);
      if (values.length === 0) continue;
      if (values.length > 1 && !MULTI_VALUED.has(name)) repeated.add(name);
      params.set(name, values[0]!);
    }
  }
  return { params, repeated, resources };
}
