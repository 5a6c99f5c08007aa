import type { Request, Response } from 'express';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { ClaimsRequest } from '../authorization-result.js';

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
}

/** What the steps of the authorization endpoint share while a request is processed. */
export interface AuthorizeContext {
  rt: Runtime;
  tenant: TenantContext;
  req: Request;
  res: Response;
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
