import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { limits } from '../src/config/defaults.js';
import { readBody } from '../src/http/body.js';
import { plainForm } from '../src/http/form-body.js';

/**
 * The plain-form reader (src/http/form-body.ts) against body-parser, as the protocol
 * routes had it: the same bodies over real HTTP give the same parameters, or the same
 * refusal (status and type).
 */
const bodyParser = express.urlencoded({ extended: false, limit: limits.bodyBytes, parameterLimit: 100 });

type Outcome = { ok: true; body: unknown; plainPrototype: boolean } | { ok: false; status: unknown; type: unknown };

function reply(res: ServerResponse, o: Outcome): void {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(o));
}
const success = (body: unknown): Outcome => ({
  ok: true,
  body: body ?? null,
  plainPrototype: body != null && Object.getPrototypeOf(body) === Object.prototype,
});
const failure = (err: unknown): Outcome => ({
  ok: false,
  status: (err as { status?: unknown }).status,
  type: (err as { type?: unknown }).type,
});

let srv: Server;
let url: string;
before(async () => {
  srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/body-parser') {
      bodyParser(req as never, res as never, (err?: unknown) => reply(res, err ? failure(err) : success((req as { body?: unknown }).body)));
    } else {
      res.setHeader('X-Plain', String(plainForm(req)));
      readBody(req, res, 'form').then(
        (b) => reply(res, success(b)),
        (err: unknown) => reply(res, failure(err)),
      );
    }
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => srv.close(() => r())));

async function both(body: string | Buffer, type = 'application/x-www-form-urlencoded'): Promise<[Outcome, Outcome, string | null]> {
  const send = (path: string) => fetch(url + path, { method: 'POST', headers: { 'Content-Type': type }, body });
  const [a, b] = await Promise.all([send('/body-parser'), send('/fast')]);
  return [(await a.json()) as Outcome, (await b.json()) as Outcome, b.headers.get('x-plain')];
}

describe('plain form bodies', () => {
  const cases = [
    'grant_type=client_credentials&scope=api%3Aread+api%3Awrite',
    'a=1&a=2&a=3',
    'resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb&x=1',
    'a=%ZZ&b=%E2%82%AC+x&c=%&d=%C3&e=%F0%9F%98%80',
    '=x&&b&c=',
    '__proto__=1&constructor=2&toString=3&hasOwnProperty=4&toString=5',
    'a=b=c&%61=1&a%3Db=c&+=+',
    'name=J%C3%BCrgen&raw=ü',
    '',
    '&',
    '\uFEFFa=1',
    'a[b]=c',
    'a[]=1&a[]=2',
    'x%5By%5D=1&X%5by%5d=2',
    'a=b]=c',
    'a]=1&[=2',
    Array.from({ length: 100 }, (_, i) => `p${i}=${i}`).join('&'),
    Array.from({ length: 101 }, (_, i) => `p${i}=${i}`).join('&'),
    Array.from({ length: 101 }, (_, i) => `p[${i}]=${i}`).join('&'),
  ];
  for (const body of cases) {
    test(`the same parameters for ${JSON.stringify(body.slice(0, 60))}`, async () => {
      const [expected, actual, plain] = await both(body);
      assert.equal(plain, 'true');
      assert.deepEqual(actual, expected);
    });
  }

  test('charset utf-8 in either case is plain; another charset or media type is left to body-parser, with the same outcome', async () => {
    for (const [type, plain] of [
      ['application/x-www-form-urlencoded; charset=UTF-8', 'true'],
      ['application/x-www-form-urlencoded;charset="utf-8"', 'true'],
      ['application/x-www-form-urlencoded; charset=iso-8859-1', 'false'],
      ['application/x-www-form-urlencoded; charset=koi8-r', 'false'],
      ['text/plain', 'false'],
    ] as const) {
      const [expected, actual, p] = await both('a=%E9&b=%C3%A9', type);
      assert.equal(p, plain, type);
      assert.deepEqual(actual, expected, type);
    }
  });
});

/** Sends a request over a raw socket in the given parts (a pause between them), and what was answered ('' if the connection closed first). */
async function inParts(path: string, parts: string[], end: boolean): Promise<string> {
  const { connect } = await import('node:net');
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (b: Buffer) => {
      answer += b.toString();
      // The answer is chunked: its last chunk ends it.
      if (answer.endsWith('\r\n0\r\n\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.on('connect', () => {
      void (async () => {
        for (const p of parts) {
          socket.write(p);
          await new Promise((r) => setTimeout(r, 30));
        }
        if (end) socket.end();
      })();
    });
  });
}

/** The JSON of a (chunked) answer; null when there is none (nothing answered, or node's own 400 without a body). */
const bodyOf = (answer: string): Outcome | null => {
  const from = answer.indexOf('{');
  return from < 0 ? null : (JSON.parse(answer.slice(from, answer.lastIndexOf('}') + 1)) as Outcome);
};

describe('bodies that arrive in pieces', () => {
  const head = (path: string, length: number) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\n\r\n`;
  const body = 'grant_type=client_credentials&scope=a+b%3Ac';

  test('the head, then the body in two writes: the same parameters as body-parser', async () => {
    const parts = (path: string) => [head(path, body.length), body.slice(0, 10), body.slice(10)];
    const [expected, actual] = await Promise.all([
      inParts('/body-parser', parts('/body-parser'), false),
      inParts('/fast', parts('/fast'), false),
    ]);
    assert.deepEqual(bodyOf(actual), bodyOf(expected));
    assert.deepEqual((bodyOf(actual) as { body: unknown }).body, { grant_type: 'client_credentials', scope: 'a b:c' });
  });

  test('the head and the body in one write: the same parameters', async () => {
    const answer = await inParts('/fast', [head('/fast', body.length) + body], false);
    assert.deepEqual((bodyOf(answer) as { body: unknown }).body, { grant_type: 'client_credentials', scope: 'a b:c' });
  });

  test('a body shorter than declared, then the client closes: no parameters are made up', async () => {
    const answer = await inParts('/fast', [head('/fast', body.length + 5) + body], true);
    const o = bodyOf(answer);
    // The client is gone, so usually nothing is answered; if it is, it is body-parser's refusal.
    if (o) assert.deepEqual(o, { ok: false, status: 400, type: 'request.aborted' });
  });
});
