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
