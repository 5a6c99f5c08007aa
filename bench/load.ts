import autocannon from 'autocannon';

/** One request shape; `next` may pick a fresh path/body/headers per request (random tenant, single-use code). */
export interface RequestPlan {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Per request: a different path/body/headers. Returning null means the supply ran out. */
  next?: () => { path?: string; body?: string; headers?: Record<string, string> } | null;
  /** Sees each response body (refresh-token rotation feeds its pool from here). */
  onResponse?: (status: number, body: string) => void;
  /** Inputs are single-use and scarce (codes): no warm-up run, it would spend them. */
  singleUse?: boolean;
}

export interface Measurement {
  /** Successful (2xx) responses per second over the measured window. */
  rps: number;
  p50: number;
  p99: number;
  /** Non-2xx responses plus connection errors and timeouts. */
  errors: number;
  requests: number;
  seconds: number;
  /** Set when the supply of single-use inputs ran out before the window ended. */
  note?: string;
}

export interface DriveOptions {
  url: string;
  seconds: number;
  connections: number;
  warmupSeconds: number;
}

async function cannon(url: string, plan: RequestPlan, seconds: number, connections: number): Promise<Measurement> {
  let exhausted = false;
  /** Requests sent without an input after the supply ran out (they fail; not the server's errors). */
  let blanks = 0;
  const base = { method: plan.method, path: plan.path, headers: plan.headers ?? {}, body: plan.body };
  const request: autocannon.Request = { ...base } as autocannon.Request;
  if (plan.next) {
    const next = plan.next;
    request.setupRequest = (req) => {
      const step = next();
      if (!step) {
        exhausted = true;
        blanks++;
        // autocannon has no "skip": send the base request (not counted as a server
        // error, and the window is marked). During client set-up `instance` is not
        // assigned yet, so the stop is deferred.
        setImmediate(() => instance?.stop());
        return { ...req, ...base } as autocannon.Request;
      }
      return { ...req, ...base, ...step, headers: step.headers ?? base.headers } as autocannon.Request;
    };
  }
  if (plan.onResponse) {
    const on = plan.onResponse;
    request.onResponse = (status, body) => on(status, body);
  }
  let instance: autocannon.Instance | undefined;
  const started = Date.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({ url, connections, pipelining: 1, duration: seconds, timeout: 10, requests: [request] }, (err, res) =>
      err ? reject(err as Error) : resolve(res),
    );
  });
  const elapsed = Math.max(0.001, exhausted ? (Date.now() - started) / 1000 : result.duration);
  const ok = result['2xx'];
  return {
    rps: ok / elapsed,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: Math.max(0, result.non2xx - blanks) + result.errors + result.timeouts,
    requests: result.requests.total,
    seconds: Math.round(elapsed * 100) / 100,
    ...(exhausted ? { note: `input supply ran out after ${elapsed.toFixed(1)} s` } : {}),
  };
}

/** A short unmeasured warm-up (JIT, caches, keep-alive sockets), then the measured window. */
export async function drive(plan: RequestPlan, o: DriveOptions): Promise<Measurement> {
  if (o.warmupSeconds > 0 && !plan.singleUse) await cannon(o.url, plan, o.warmupSeconds, o.connections);
  return cannon(o.url, plan, o.seconds, o.connections);
}
