import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's X-Request-Id when it is a sane token, else a fresh UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The one access-log line per request (info level). */
export function logRequest(log: Logger, reqId: string, method: string | undefined, url: string, status: number, startNs: bigint): void {
  const q = url.indexOf('?');
  log.info({ reqId, method, path: q < 0 ? url : url.slice(0, q), status, ms: Number(process.hrtime.bigint() - startNs) / 1e6 }, 'request');
}

/** The request's child logger on `res.locals.log`, made when first used (most requests never log). */
export function lazyRequestLog(locals: Record<string, unknown>, log: Logger, id: string): void {
  let child: Logger | undefined;
  Object.defineProperty(locals, 'log', {
    configurable: true,
    enumerable: true,
    get: () => (child ??= log.child({ reqId: id })),
    set: (value: Logger) => {
      child = value;
    },
  });
}
