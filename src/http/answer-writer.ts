import type { OutgoingHttpHeader, ServerResponse } from 'node:http';
import type { Answer } from '../oidc/endpoint.js';
import type { HeaderList } from './security-headers.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** An answer ready for the wire: its headers (security headers merged in) as one flat list, and its body. */
interface Prepared {
  /** Starts with `X-Request-Id` and a placeholder for its value, so a copy takes the request's id. */
  head: (string | readonly string[])[];
  body: string | Uint8Array | undefined;
}

/**
 * Writes answers (oidc/endpoint.ts) to node:http responses: the security headers of
 * every answer, the answer's own headers (which win over a security header of the same
 * name; an empty value drops it), cookies, Content-Type for JSON
 * and Content-Length, all in one writeHead. A frozen answer (a cached one, e.g.
 * discovery and JWKS) is prepared once and replayed.
 */
export class AnswerWriter {
  private readonly prepared = new WeakMap<Answer, Prepared>();
  constructor(private readonly security: HeaderList) {}

  write(res: ServerResponse, answer: Answer, requestId: string): void {
    let p = this.prepared.get(answer);
    if (!p) {
      p = this.prepare(answer);
      if (Object.isFrozen(answer)) this.prepared.set(answer, p);
    }
    const head = p.head.slice();
    head[1] = requestId;
    res.writeHead(answer.status, head as OutgoingHttpHeader[]);
    res.end(p.body);
  }

  private prepare(answer: Answer): Prepared {
    const own = answer.headers ?? {};
    const ownNames = new Set(Object.keys(own).map((n) => n.toLowerCase()));
    const head: (string | readonly string[])[] = ['X-Request-Id', ''];
    for (const [name, value] of this.security) if (!ownNames.has(name.toLowerCase())) head.push(name, value);
    for (const [name, value] of Object.entries(own)) if (value !== '') head.push(name, value);
    if (answer.cookies?.length) head.push('Set-Cookie', answer.cookies);
    let body = answer.body;
    if (answer.json !== undefined) {
      body = JSON.stringify(answer.json);
      if (!ownNames.has('content-type')) head.push('Content-Type', JSON_TYPE);
    }
    if (body !== undefined) head.push('Content-Length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength));
    return { head, body };
  }
}
