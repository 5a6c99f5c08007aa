/**
 * Method and path (below `/t/{slug}`) to a route, built once at start. Matching is the
 * same for every route: the query string never takes part, one trailing slash is
 * ignored and fixed segments compare case-insensitively (as Express routed before);
 * `:name` segments match one non-empty segment and are %-decoded. A HEAD request is
 * answered by the GET route. A known path asked with another method is a 405 with
 * `Allow` (OPTIONS, a CORS preflight, is not listed).
 */

export interface RouteSpec {
  method: string;
  path: string;
}

export type RouteMatch<R> =
  { kind: 'route'; route: R; params: Record<string, string> } | { kind: 'method-not-allowed'; allow: string } | { kind: 'none' };

interface PathEntry<R> {
  /** Segments of a parameterised path; ':' marks a parameter. */
  segments?: string[];
  methods: Map<string, R>;
  allow: string;
}

/** A path segment that is not valid %-encoding: the request is malformed (400). */
export class BadPathError extends Error {
  readonly status = 400;
}

const NONE = { kind: 'none' } as const;
const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadPathError('malformed %-escape in the path');
  }
}

export class RouteTable<R extends RouteSpec> {
  private readonly fixed = new Map<string, PathEntry<R>>();
  private readonly patterns: PathEntry<R>[] = [];

  constructor(routes: readonly R[]) {
    const byPath = new Map<string, PathEntry<R>>();
    for (const r of routes) {
      const key = r.path.toLowerCase();
      let entry = byPath.get(key);
      if (!entry) {
        entry = { methods: new Map(), allow: '' };
        byPath.set(key, entry);
        if (r.path.includes('/:')) {
          entry.segments = r.path.split('/').map((s) => (s.startsWith(':') ? s : s.toLowerCase()));
          this.patterns.push(entry);
        } else this.fixed.set(key, entry);
      }
      if (entry.methods.has(r.method)) throw new Error(`route ${r.method} ${r.path} is defined twice`);
      entry.methods.set(r.method, r);
    }
    for (const entry of byPath.values()) {
      entry.allow = [...entry.methods.keys()].filter((m) => m !== 'OPTIONS').join(', ');
    }
  }

  /** `path` is below the tenant, without the query: `/token`, `/register/abc`. */
  match(method: string, path: string): RouteMatch<R> {
    let p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const fixed = this.fixed.get(p) ?? (/[A-Z]/.test(p) ? this.fixed.get((p = p.toLowerCase())) : undefined);
    if (fixed) return this.pick(fixed, method, NO_PARAMS);
    const parts = p.split('/');
    for (const entry of this.patterns) {
      const segs = entry.segments!;
      if (segs.length !== parts.length) continue;
      let params: Record<string, string> | undefined = {};
      for (let i = 1; i < segs.length; i++) {
        const s = segs[i]!;
        const part = parts[i]!;
        if (s.startsWith(':')) {
          if (!part) {
            params = undefined;
            break;
          }
          params[s.slice(1)] = decode(part);
        } else if (s !== part.toLowerCase()) {
          params = undefined;
          break;
        }
      }
      if (params) return this.pick(entry, method, params);
    }
    return NONE;
  }

  private pick(entry: PathEntry<R>, method: string, params: Record<string, string>): RouteMatch<R> {
    const route = entry.methods.get(method) ?? (method === 'HEAD' ? entry.methods.get('GET') : undefined);
    if (route) return { kind: 'route', route, params };
    return { kind: 'method-not-allowed', allow: entry.allow };
  }
}
