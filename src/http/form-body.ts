import type { IncomingMessage } from 'node:http';
import { limits } from '../config/defaults.js';

/**
 * The common form body read without body-parser's machinery (raw-body, type-is, iconv,
 * qs): the token, introspection, revocation and userinfo requests of every client. Taken
 * only when nothing about the request needs that machinery — the plain form media type
 * in UTF-8, no content coding, a declared length within the limit — and parsed here only
 * when the body has no brackets, where qs (depth 0, as body-parser calls it) does exactly
 * this: split on `&`, the first `=` splits name and value, `+` is a space, %-escapes are
 * decoded (a malformed one is kept as it is), a repeated name collects its values into
 * an array, an empty name and `__proto__` are dropped. Anything else is left to
 * body-parser (docs/performance.md "Request bodies"); test/http-form-body.test.ts checks
 * the two agree.
 */
const FORM_TYPE = /^application\/x-www-form-urlencoded(?:[ \t]*;[ \t]*charset=(?:utf-8|"utf-8"))?$/i;
/** Brackets, raw or escaped: qs gives them meaning (`a[]`, `]=`), so such a body goes to body-parser. */
const BRACKETS = /[[\]]|%5[bd]/i;
/** body-parser's parameterLimit for forms (http/body.ts). */
export const FORM_PARAMETER_LIMIT = 100;

/** Whether the request's form body can be read here; false leaves it to body-parser. */
export function plainForm(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined) return false;
  const type = h['content-type'];
  if (type === undefined || !FORM_TYPE.test(type)) return false;
  const length = h['content-length'];
  return length !== undefined && /^\d{1,9}$/.test(length) && Number(length) <= limits.bodyBytes;
}

/** An error shaped like body-parser's (status and type), so http/error-handler.ts maps it the same way. */
function bodyError(status: number, message: string, type: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
}

/** The body as text; iconv-lite, which body-parser decodes with, drops a byte order mark. */
function textOf(body: Buffer): string {
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads the whole declared length; refused as body-parser (raw-body) refuses: an aborted
 * or short body is a 400.
 *
 * A small body usually comes in the same packet as the head. node's parser emits the
 * request when it has parsed the head (and runs the ticks queued by the listener right
 * then), and parses the rest of the packet after: by the check phase of the same loop
 * turn (setImmediate) the message is `complete` and its body buffered in the stream, and
 * it is taken in one `read()`, without switching the stream to flowing mode and its
 * 'data' and 'end' events (docs/performance.md "Request bodies"). Otherwise the body is
 * read as it arrives; a request whose client went away meanwhile is refused as aborted.
 */
export function readPlainBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      if (req.complete && !req.readableFlowing && req.readableLength === Number(req.headers['content-length'])) {
        const body = req.read() as Buffer | null;
        resolve(body ? textOf(body) : '');
      } else if (req.destroyed) reject(bodyError(400, 'request aborted', 'request.aborted'));
      else readArriving(req, resolve, reject);
    });
  });
}

function readArriving(req: IncomingMessage, resolve: (text: string) => void, reject: (err: Error) => void): void {
  const length = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const finish = (err: Error | null, text?: string) => {
    if (settled) return;
    settled = true;
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onError);
    req.removeListener('close', onClose);
    if (err) reject(err);
    else resolve(text!);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    chunks.push(chunk);
  };
  const onEnd = () => {
    if (received !== length) return finish(bodyError(400, 'request size did not match content length', 'request.size.invalid'));
    finish(null, textOf(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received)));
  };
  const onError = () => finish(bodyError(400, 'request aborted', 'request.aborted'));
  const onClose = () => finish(bodyError(400, 'request aborted', 'request.aborted'));
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
  req.on('close', onClose);
}

/** qs's decoder for UTF-8: `+` is a space, then %-escapes; a malformed escape leaves the string as it is. */
function decode(s: string): string {
  if (!s.includes('%')) return s.includes('+') ? s.replace(/\+/g, ' ') : s;
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * The body's parameters; undefined when it has brackets (body-parser parses it then).
 * Throws body-parser's 413 past the parameter limit.
 */
export function parsePlainForm(body: string): Record<string, unknown> | undefined {
  if (!body) return {};
  let count = 1;
  for (let i = body.indexOf('&'); i >= 0; i = body.indexOf('&', i + 1)) count++;
  if (count > FORM_PARAMETER_LIMIT) throw bodyError(413, 'too many parameters', 'parameters.too.many');
  if (BRACKETS.test(body)) return undefined;
  const out: Record<string, unknown> = {};
  for (const part of body.split('&')) {
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    if (!name || name === '__proto__') continue;
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    if (!Object.hasOwn(out, name)) out[name] = value;
    else {
      const prev = out[name];
      out[name] = Array.isArray(prev) ? [...(prev as unknown[]), value] : [prev, value];
    }
  }
  return out;
}
