import type { OutgoingHttpHeader, ServerResponse } from 'node:http';
import type { Answer, AnswerHeaders } from '../oidc/endpoint.js';
import type { HeaderList } from './security-headers.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Header names and values as one flat list; starts with `X-Request-Id` and a placeholder for its value. */
type Head = (string | readonly string[])[];

/** An answer ready for the wire: its headers (security headers merged in) and its body. */
interface Prepared {
  head: Head;
  body: string | Uint8Array | undefined;
}

/** The route headers of a route that has none (a key for the caches below). */
const NO_ROUTE_HEADERS: AnswerHeaders = Object.freeze({});

function isEmpty(headers: AnswerHeaders | undefined): boolean {
  for (const _ in headers) return false;
  return true;
}

/**
 * Writes answers (oidc/endpoint.ts) to node:http responses: the security headers of
 * every answer, the route's headers (oidc/endpoint.ts EndpointRoute), the answer's own
 * headers (the answer's win over the route's, both over a security header of the same
 * name; an empty value drops it), cookies, Content-Type for JSON and Content-Length, all
 * in one writeHead. Work that does not depend on the request is done once
 * (docs/performance.md "The request prelude"): a frozen answer (a cached one, e.g.
 * discovery and JWKS) is prepared once per route and replayed, and the header list of
 * an answer without headers or cookies of its own (a userinfo or introspection answer)
 * once per route.
 */
export class AnswerWriter {
  private readonly prepared = new WeakMap<AnswerHeaders, WeakMap<Answer, Prepared>>();
  /** By route headers: the head of a plain answer that is not JSON, and of one that is. */
  private readonly plainHeads = new WeakMap<AnswerHeaders, [Head | undefined, Head | undefined]>();

  constructor(private readonly security: HeaderList) {}

  write(res: ServerResponse, answer: Answer, requestId: string, routeHeaders: AnswerHeaders = NO_ROUTE_HEADERS): void {
    let head: Head;
    let body: Prepared['body'];
    if (Object.isFrozen(answer)) {
      let byAnswer = this.prepared.get(routeHeaders);
      if (!byAnswer) this.prepared.set(routeHeaders, (byAnswer = new WeakMap()));
      let p = byAnswer.get(answer);
      if (!p) byAnswer.set(answer, (p = this.prepare(answer, routeHeaders)));
      head = p.head.slice();
      body = p.body;
    } else ({ head, body } = this.prepare(answer, routeHeaders));
    head[1] = requestId;
    res.writeHead(answer.status, head as OutgoingHttpHeader[]);
    res.end(body);
  }

  private prepare(answer: Answer, routeHeaders: AnswerHeaders): Prepared {
    const json = answer.json !== undefined;
    const body = json ? JSON.stringify(answer.json) : answer.body;
    const head =
      !answer.cookies?.length && isEmpty(answer.headers)
        ? this.plainHead(routeHeaders, json).slice()
        : this.headOf(isEmpty(routeHeaders) ? (answer.headers ?? {}) : { ...routeHeaders, ...answer.headers }, answer.cookies, json);
    if (body !== undefined) head.push('Content-Length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength));
    return { head, body };
  }

  private plainHead(routeHeaders: AnswerHeaders, json: boolean): Head {
    let heads = this.plainHeads.get(routeHeaders);
    if (!heads) this.plainHeads.set(routeHeaders, (heads = [undefined, undefined]));
    return (heads[json ? 1 : 0] ??= this.headOf(routeHeaders, undefined, json));
  }

  private headOf(own: AnswerHeaders, cookies: readonly string[] | undefined, json: boolean): Head {
    const ownNames = new Set(Object.keys(own).map((n) => n.toLowerCase()));
    const head: Head = ['X-Request-Id', ''];
    for (const [name, value] of this.security) if (!ownNames.has(name.toLowerCase())) head.push(name, value);
    for (const [name, value] of Object.entries(own)) if (value !== '') head.push(name, value);
    if (cookies?.length) head.push('Set-Cookie', cookies);
    if (json && !ownNames.has('content-type')) head.push('Content-Type', JSON_TYPE);
    return head;
  }
}
