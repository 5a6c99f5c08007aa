import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from '../config/index.js';

/**
 * The node:http server every process and test uses, with the client time limits as
 * settings (docs/operations.md): HTTP_HEADERS_TIMEOUT_MS for the request headers,
 * HTTP_REQUEST_TIMEOUT_MS for the whole request (a client trickling its body gets 408
 * and the connection is closed). node's own defaults (60 s / 300 s, checked every 30 s)
 * let a slow client hold a connection for minutes.
 */
export function createHttpServer(config: Pick<Config, 'httpHeadersTimeoutMs' | 'httpRequestTimeoutMs'>, listener: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: config.httpHeadersTimeoutMs,
      requestTimeout: config.httpRequestTimeoutMs,
      // How often node looks for connections over those limits; the limit is only as exact as this.
      connectionsCheckingInterval: Math.min(1_000, Math.floor(config.httpHeadersTimeoutMs / 2)),
    },
    listener,
  );
  // Longer than common load balancers' idle timeout (60 s), so they close first.
  server.keepAliveTimeout = 65_000;
  return server;
}
