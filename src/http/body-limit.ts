import type { IncomingMessage, ServerResponse } from 'node:http';
import { limits } from '../config/defaults.js';

/**
 * A request that declares a body larger than any endpoint accepts (limits.bodyBytes:
 * token, GraphQL, authorize POST, the pages' forms, registration) is refused at once with
 * 413, before a byte of it is read, and the connection is closed: otherwise the body
 * parsers would wait for the whole declared length. Bodies without a declared length
 * (chunked) are still cut off by the parsers at the same limit.
 * Returns true when it answered.
 */
export function refuseDeclaredOversize(req: IncomingMessage, res: ServerResponse): boolean {
  const declared = req.headers['content-length'];
  if (declared === undefined || !(Number(declared) > limits.bodyBytes)) return false;
  const body = JSON.stringify({ error: 'invalid_request', error_description: 'the request body is too large' });
  res.shouldKeepAlive = false;
  res.writeHead(413, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  res.end(body);
  return true;
}
