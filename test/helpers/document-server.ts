import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A client's web server for documents the provider fetches (sector_identifier_uri,
 * request_uri), on 127.0.0.1: set a path's answer, or make it hang or answer too much.
 */
export interface DocumentServer {
  url: string;
  /** Serve `body` at `path` with status and content type. */
  serve(path: string, body: string, opts?: { status?: number; type?: string }): string;
  /** A path that accepts the connection and never answers. */
  hang(path: string): string;
  /** A path that streams `bytes` bytes without a content-length. */
  huge(path: string, bytes: number): string;
  /** How often each path was requested. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export async function startDocumentServer(): Promise<DocumentServer> {
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const h = routes.get(path);
    if (h) h(req, res);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    serve(path, body, opts = {}) {
      routes.set(path, (_req, res) => res.writeHead(opts.status ?? 200, { 'content-type': opts.type ?? 'application/json' }).end(body));
      return url + path;
    },
    hang(path) {
      routes.set(path, (_req, res) => hanging.add(res));
      return url + path;
    },
    huge(path, bytes) {
      routes.set(path, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        let sent = 0;
        const push = (): void => {
          while (sent < bytes) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', push);
          }
          res.end();
        };
        res.on('error', () => undefined);
        push();
      });
      return url + path;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
