/**
 * Raw jose signing rate: SignJWT with a cached KeyObject, one signature at a time, for
 * about two seconds per algorithm, with an access-token-sized payload.
 *
 * `measureSigningRates()` runs this file as a child process with UV_THREADPOOL_SIZE=1:
 * jose signs through WebCrypto, whose work runs on libuv's thread pool, so one pool
 * thread plus sequential signing is "one core". Run directly, it prints JSON.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';

export interface SigningRates {
  RS256: number;
  ES256: number;
  seconds: number;
}

async function rate(alg: 'RS256' | 'ES256', key: KeyObject, seconds: number): Promise<number> {
  const kid = randomBytes(12).toString('base64url');
  const payload = () => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: 'http://127.0.0.1:3000/t/bench-rs256',
      sub: 'bench-cc',
      aud: 'http://127.0.0.1:3000/t/bench-rs256',
      exp: now + 3600,
      iat: now,
      jti: randomBytes(16).toString('base64url'),
      client_id: 'bench-cc',
      scope: 'api:read',
    };
  };
  // Warm-up: JIT and jose's KeyObject → CryptoKey cache.
  for (let i = 0; i < 50; i++) await new SignJWT(payload()).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(key);
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    await new SignJWT(payload()).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(key);
    n++;
    if ((n & 15) === 0) now = process.hrtime.bigint();
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function child(seconds: number): Promise<void> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const out: SigningRates = { RS256: await rate('RS256', rsa, seconds), ES256: await rate('ES256', ec, seconds), seconds };
  process.stdout.write(JSON.stringify(out) + '\n');
}

export function measureSigningRates(seconds: number): Promise<SigningRates> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(seconds)], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`signing-rate child exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim()) as SigningRates);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void child(Number(process.argv[2] ?? '2'));
}
