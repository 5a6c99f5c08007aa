import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Credentials {
  id: string;
  secret: string;
}

/** What a scenario needs to know about one tenant of a server under test. */
export interface TenantFixture {
  slug: string;
  alg: 'RS256' | 'ES256';
  cc: Credentials;
  /** A client whose access tokens are opaque, when the server can issue them. */
  ccOpaque?: Credentials;
  /** authorization_code + refresh_token client. */
  rp?: Credentials;
}

export type SeedKind = 'code' | 'userinfo-token';

/** A running server under test. */
export interface Target {
  kind: 'gatehouse' | 'oidc-provider';
  /** Where the server keeps codes and tokens: a database pays a round trip per write (input pools are capped: run.ts expected()). */
  storage: 'memory' | 'database';
  label: string;
  url: string;
  tenants: Record<string, TenantFixture>;
  /** Slugs of the many-tenant set (discovery across 1,000 tenants; scale). */
  manySlugs: string[];
  /** Single-use inputs made beforehand (codes; userinfo access tokens), or why the server cannot make them. */
  seed(slug: string, kind: SeedKind, n: number): Promise<string[]>;
  /** Resident set size of every process of the server, in bytes. */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function processTree(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

export const childPids = (pid: number): number[] => processTree().get(pid) ?? [];

/** VmRSS of a process and all of its descendants (cluster workers), from /proc. */
export function treeRss(pid: number): number {
  const children = processTree();
  let total = 0;
  const visit = (p: number): void => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return total;
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
  gone: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone()) throw new Error(`${what} exited while starting`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
}
