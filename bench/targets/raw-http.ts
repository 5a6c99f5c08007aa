import { spawn } from 'node:child_process';
import { freePort, waitFor } from './target.js';

/** One answer a raw server gives: the exact status, headers and body Gatehouse answered for a path. */
export interface RawAnswer {
  path: string;
  status: number;
  headers: [string, string][];
  body: string;
}

/** Node's own per-connection headers and the per-request id: the raw server lets node add the former and sends a fixed id. */
const SKIP = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** The answer Gatehouse gives for `url` (one GET), as bytes a raw server can replay. */
export async function recordAnswer(base: string, path: string): Promise<RawAnswer> {
  const res = await fetch(base + path);
  const body = await res.text();
  const headers: [string, string][] = [];
  res.headers.forEach((value, name) => {
    if (!SKIP.has(name)) headers.push([name, value]);
  });
  headers.push(['content-length', String(Buffer.byteLength(body))]);
  return { path, status: res.status, headers, body };
}

/**
 * The limit of the machine for a document answered from memory: a plain node:http
 * server (a process of its own, like Gatehouse) that answers the same bytes for the
 * same path with one writeHead and one end, and nothing else (no routing, no metrics,
 * no log). Gatehouse / raw is how close the pipeline comes to that limit.
 */
export async function startRawServer(answers: RawAnswer[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const program = `
const http = require('node:http');
const answers = new Map(JSON.parse(process.env.RAW_ANSWERS).map((a) => [a.path, a]));
http.createServer((req, res) => {
  const a = answers.get(req.url);
  if (!a) { res.writeHead(404).end(); return; }
  res.writeHead(a.status, a.headers.flat());
  res.end(a.body);
}).listen(${port}, '127.0.0.1');
`;
  const proc = spawn(process.execPath, ['-e', program], {
    env: { ...process.env, RAW_ANSWERS: JSON.stringify(answers) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the raw node:http server', async () => (await fetch(`${url}${answers[0]!.path}`)).ok, 10_000);
  return {
    url,
    stop: async () => {
      proc.kill();
      await new Promise((r) => proc.once('exit', r));
    },
  };
}
