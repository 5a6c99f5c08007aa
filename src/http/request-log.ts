import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
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

/**
 * Gives a request its id (echoed as X-Request-Id), a lazily made child logger in
 * `res.locals.log` and, at info level, its access-log line on completion. At a
 * production log level above info nothing else happens per request.
 */
export function trackRequest(log: Logger, req: IncomingMessage, res: Response, originalUrl: string): void {
  const id = requestId(req);
  res.setHeader('X-Request-Id', id);
  let child: Logger | undefined;
  Object.defineProperty(res.locals, 'log', {
    configurable: true,
    enumerable: true,
    get: () => (child ??= log.child({ reqId: id })),
    set: (value: Logger) => {
      child = value;
    },
  });
  if (log.isLevelEnabled('info')) {
    const start = process.hrtime.bigint();
    res.on('finish', () => logRequest(log, id, req.method, originalUrl, res.statusCode, start));
  }
}

/** trackRequest as Express middleware. */
export function requestLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    trackRequest(log, req, res, req.originalUrl);
    next();
  };
}
