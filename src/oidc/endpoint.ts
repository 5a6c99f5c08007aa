import type { Logger } from 'pino';
import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * The shape of every protocol endpoint: `(tenant, input) → answer`, plain data in and
 * out. The http layer (src/http/pipeline.ts) parses the request into an EndpointInput,
 * calls the endpoint and writes its Answer; no endpoint sees Express or node:http
 * objects. See docs/architecture.md "One request's path".
 */

/** Request headers as node gives them: lowercase names, a list only for headers that may repeat. */
export type InputHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The parsed query string: a name given more than once has every value, in order. */
export type InputQuery = Readonly<Record<string, string | string[] | undefined>>;

export interface EndpointInput {
  /** Upper case; a HEAD request reaches GET endpoints as GET (the writer drops the body). */
  method: string;
  /** The path below the issuer, without the query: `/token`, `/register/abc`. */
  path: string;
  /** Values of the route's `:name` segments, %-decoded. */
  params: Readonly<Record<string, string>>;
  query: InputQuery;
  /**
   * The parsed body: a form (application/x-www-form-urlencoded) as an object whose
   * repeated names carry arrays, or JSON as sent. Undefined when there was no body or
   * the route does not read that media type.
   */
  body: unknown;
  /** The body's media type, lower case and without parameters; '' when the request has no body. */
  contentType: string;
  headers: InputHeaders;
  /** The client's address (the leftmost X-Forwarded-For entry when TRUST_PROXY is set). */
  readonly ip: string | undefined;
  /** The request URL as the client addressed it (PUBLIC_URL + path + query), e.g. DPoP's `htu`. */
  url: string;
  /** The request's logger (carries its request id). */
  readonly log: Logger;
}

/**
 * Header values of an answer; a list only for headers that may repeat. An answer's header
 * replaces a security header of the same name; an empty value removes it (a page meant to be framed).
 */
export type AnswerHeaders = Readonly<Record<string, string | readonly string[]>>;

/**
 * What an endpoint answers: status, headers and one kind of body. Answers are values:
 * an endpoint may return the same (cached) answer object for many requests, so the
 * writer never changes one.
 */
export interface Answer {
  status: number;
  headers?: AnswerHeaders;
  /** Set-Cookie values, in order. */
  cookies?: readonly string[];
  /** Serialized by the writer as `application/json; charset=utf-8`. */
  json?: unknown;
  /** A body already serialized; its Content-Type is in `headers`. */
  body?: string | Uint8Array;
}

export type Endpoint = (tenant: TenantContext, input: EndpointInput) => Answer | Promise<Answer>;

/** A JSON answer (status 200 unless given). */
export const jsonAnswer = (json: unknown, status = 200, headers?: AnswerHeaders): Answer => ({ status, json, headers });

/** An answer without a body (204 No Content, a 200 of revocation, a 304). */
export const emptyAnswer = (status: number, headers?: AnswerHeaders): Answer => ({ status, headers });

/** A redirect; 303 See Other by default so that a POST is followed by a GET. */
export const redirectAnswer = (location: string, status = 303, headers?: AnswerHeaders): Answer => ({
  status,
  headers: { 'Cache-Control': 'no-store', ...headers, Location: location },
});

/** The same answer with more Set-Cookie values (they come first, in the order given). */
export const withCookies = (answer: Answer, cookies: readonly string[]): Answer =>
  cookies.length ? { ...answer, cookies: [...cookies, ...(answer.cookies ?? [])] } : answer;

/** The same answer with more headers (the answer's own win). */
export const withHeaders = (answer: Answer, headers: AnswerHeaders): Answer => ({ ...answer, headers: { ...headers, ...answer.headers } });

/** A single value of a parsed form, query or JSON member; undefined when absent or given more than once. */
export function single(source: unknown, name: string): string | undefined {
  if (!source || typeof source !== 'object') return undefined;
  const v = (source as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

/** The form body as a record ({} when the request had none). */
export const formOf = (input: EndpointInput): Record<string, unknown> =>
  input.body && typeof input.body === 'object' && !Array.isArray(input.body) ? (input.body as Record<string, unknown>) : {};

/** A protocol route: method and path below the issuer (`:name` segments are parameters) to an endpoint. */
export interface EndpointRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
  path: string;
  endpoint: Endpoint;
  /** The body the pipeline parses before the endpoint runs (same limits for all: http/body.ts). */
  body?: 'form' | 'json';
  /** Headers on every answer of the route, error answers included (CORS, no-store). */
  headers?: AnswerHeaders;
}
