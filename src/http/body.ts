import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import express from 'express';
import { limits } from '../config/defaults.js';
import { FORM_PARAMETER_LIMIT, parsePlainForm, plainForm, readPlainBody } from './form-body.js';

/**
 * The body parsers of the protocol routes: the same body-parser instances (and so the
 * same limits, charsets, inflation and error types) the Express routes had. They run on
 * plain node:http objects; an error carries body-parser's `type` and status, which
 * http/error-handler.ts maps to the OAuth answer (413, 415, 400).
 */
const parsers = {
  form: express.urlencoded({ extended: false, limit: limits.bodyBytes, parameterLimit: FORM_PARAMETER_LIMIT }),
  json: express.json({ limit: limits.bodyBytes, strict: false }),
} as const;

export type BodyKind = keyof typeof parsers;

/** The qs body-parser itself parses forms with (resolved through express and body-parser), for the rare bracketed plain form. */
const qs = (() => {
  const fromExpress = createRequire(createRequire(import.meta.url).resolve('express'));
  return createRequire(fromExpress.resolve('body-parser'))('qs') as { parse(s: string, o: object): Record<string, unknown> };
})();

/** body-parser's own call of qs for `extended: false` (body-parser 2, lib/types/urlencoded.js). */
function bracketedForm(body: string): Record<string, unknown> {
  const count = body.split('&').length;
  try {
    return qs.parse(body, {
      allowPrototypes: true,
      arrayLimit: count,
      depth: 0,
      charset: 'utf-8',
      parameterLimit: FORM_PARAMETER_LIMIT,
      strictDepth: true,
    });
  } catch (err) {
    if (err instanceof RangeError)
      throw Object.assign(new Error('The input exceeded the depth'), { status: 400, type: 'querystring.parse.rangeError' });
    throw err;
  }
}

/** A plain form (http/form-body.ts) read and parsed without body-parser; the same parameters it would give. */
async function readPlainForm(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readPlainBody(req);
  return parsePlainForm(text) ?? bracketedForm(text);
}

/** Reads and parses the body if its media type is the route's; undefined when there is none (or another type). */
export function readBody(req: IncomingMessage, res: ServerResponse, kind: BodyKind): Promise<unknown> {
  if (kind === 'form' && plainForm(req)) return readPlainForm(req);
  return new Promise((resolve, reject) => {
    parsers[kind](req as never, res as never, (err?: unknown) => (err ? reject(err as Error) : resolve((req as { body?: unknown }).body)));
  });
}

/** RFC 9110 6.4.1: a request has a body when it declares a length or a transfer coding (type-is's rule, as Express used). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || !isNaN(req.headers['content-length'] as unknown as number);
}

/** The body's media type, lower case without parameters; '' without a body (as `req.is()` answered). */
export function mediaType(req: IncomingMessage): string {
  const type = req.headers['content-type'];
  if (!type || !hasBody(req)) return '';
  const semi = type.indexOf(';');
  return (semi < 0 ? type : type.slice(0, semi)).trim().toLowerCase();
}
