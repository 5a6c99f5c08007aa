import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Logger } from 'pino';
import type { EndpointInput, InputHeaders, InputQuery } from '../oidc/endpoint.js';
import { mediaType } from './body.js';

const NO_QUERY: InputQuery = Object.freeze({});

/**
 * The client's address: with TRUST_PROXY the leftmost X-Forwarded-For entry (every hop
 * is trusted, as Express's `trust proxy = true` did), else the socket's peer.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    if (typeof xff === 'string' && xff) {
      const comma = xff.indexOf(',');
      const first = (comma < 0 ? xff : xff.slice(0, comma)).trim();
      if (first) return first;
    }
  }
  return req.socket.remoteAddress;
}

/** The endpoint's view of a request (oidc/endpoint.ts); the address and the logger are worked out only when asked for. */
export class RequestInput implements EndpointInput {
  readonly method: string;
  readonly query: InputQuery;
  readonly contentType: string;
  readonly headers: InputHeaders;
  private child?: Logger;

  constructor(
    private readonly req: IncomingMessage,
    readonly path: string,
    queryString: string,
    readonly params: Readonly<Record<string, string>>,
    readonly body: unknown,
    readonly url: string,
    private readonly trustProxy: boolean,
    private readonly makeLog: () => Logger,
  ) {
    this.method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    // node:querystring, as Express's default ("simple") query parser.
    this.query = queryString ? parseQuery(queryString) : NO_QUERY;
    this.contentType = mediaType(req);
    this.headers = req.headers;
  }

  get ip(): string | undefined {
    return clientAddress(this.req, this.trustProxy);
  }

  get log(): Logger {
    return (this.child ??= this.makeLog());
  }
}
