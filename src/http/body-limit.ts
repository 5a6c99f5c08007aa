import type { IncomingMessage, ServerResponse } from 'node:http';
import { limits } from '../config/defaults.js';
import { applyHeaders, type HeaderList } from './security-headers.js';

/**
 * A request that declares a body larger than any endpoint accepts (limits.bodyBytes:
 * token, GraphQL, authorize POST, the pages' forms, registration) is refused at once with
 * 413, before a byte of it is read, and the connection is closed: otherwise the body
 * parsers would wait for the whole declared length. Bodies without a declared length
 * (chunked) are still cut off by the parsers at the same limit.
 */
export function declaresOversizeBody(req: IncomingMessage): boolean {
  const declared = req.headers['content-length'];
  return declared !== undefined && Number(declared) > limits.bodyBytes;
}

const BODY = JSON.stringify({ error: 'invalid_request', error_description: 'the request body is too large' });

/** The 413, with the same headers as any other answer (the body parsers' routed 413 has them). */
export function sendBodyTooLarge(res: ServerResponse, headers: HeaderList, requestId: string): void {
  res.shouldKeepAlive = false;
  res.setHeader('X-Request-Id', requestId);
  applyHeaders(res, headers);
  res.writeHead(413, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(BODY),
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  res.end(BODY);
}
