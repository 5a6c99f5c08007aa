/**
 * The admin GraphQL API as the operations scripts use it: authenticated exactly as
 * docs/administering.md says (client_credentials with client_secret_basic at {url}/t/system/token,
 * scope admin), never touching the database.
 */
export interface AdminApiOptions {
  /** Base URL of Gatehouse (GATEHOUSE_URL, else PUBLIC_URL, else http://localhost:3000). */
  url?: string;
  clientId?: string;
  clientSecret?: string;
  /** `admin` (default) or `tenant-admin:{slug}` for a tenant-scoped admin client. */
  scope?: string;
}

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly errors: { message: string; extensions?: { code?: string; field?: string } }[] = [],
    /** The HTTP status, when the failure was an HTTP answer. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }

  /** The server said "try again shortly" (a database that blinked): a GraphQL SERVICE_UNAVAILABLE or an HTTP 503. */
  get unavailable(): boolean {
    return this.status === 503 || this.errors.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE');
  }
}

/**
 * Runs `fn` (given its attempt number, from 1) again while Gatehouse answers "try again
 * shortly" (503: a database that blinked, docs/operations.md), waiting 1 s, 2 s, …
 * between attempts; any other error, or the last attempt's, is thrown. Only for calls
 * that are safe to repeat (reads, the token request, or a step that re-plans before it
 * writes again).
 */
export async function retryUnavailable<T>(
  fn: (attempt: number) => Promise<T>,
  opts: { attempts: number; onRetry?: (waitSeconds: number) => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof AdminApiError && e.unavailable) || attempt >= opts.attempts) throw e;
      opts.onRetry?.(attempt);
      await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
    }
  }
}

export interface AdminApi {
  url: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export function apiOptionsFromEnv(
  flags: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): AdminApiOptions {
  const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  return {
    url: str(flags.url) ?? env.GATEHOUSE_URL ?? env.PUBLIC_URL,
    clientId: str(flags['client-id']) ?? env.GATEHOUSE_ADMIN_CLIENT_ID,
    clientSecret: str(flags['client-secret']) ?? env.GATEHOUSE_ADMIN_CLIENT_SECRET,
    scope: str(flags.scope),
  };
}

export async function connectAdminApi(opts: AdminApiOptions): Promise<AdminApi> {
  const url = (opts.url ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
  if (!opts.clientId || !opts.clientSecret) {
    throw new AdminApiError(
      'admin credentials are missing: set GATEHOUSE_ADMIN_CLIENT_ID and GATEHOUSE_ADMIN_CLIENT_SECRET (or pass --client-id and --client-secret)',
    );
  }
  const basic = Buffer.from(`${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`).toString('base64');
  let res: Response;
  try {
    res = await fetch(`${url}/t/system/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: opts.scope ?? 'admin' }),
    });
  } catch (err) {
    throw new AdminApiError(`cannot reach Gatehouse at ${url}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
  if (!body.access_token)
    throw new AdminApiError(
      `could not get an admin token from ${url}/t/system/token: ${body.error ?? res.status}${body.error_description ? ` (${body.error_description})` : ''}`,
      [],
      res.status,
    );
  const token = body.access_token;
  return {
    url,
    async gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const r = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const out = (await r.json().catch(() => ({}))) as { data?: T; errors?: AdminApiError['errors'] };
      if (out.errors?.length || !out.data) {
        const first = out.errors?.[0];
        throw new AdminApiError(
          first ? `${first.message}${first.extensions?.code ? ` [${first.extensions.code}]` : ''}` : `HTTP ${r.status}`,
          out.errors ?? [],
          r.status,
        );
      }
      return out.data;
    },
  };
}

/** `--flag value`, `--flag=value`, `--switch` and positional arguments. */
export function parseArgs(argv: string[], switches: string[]): { flags: Record<string, string | boolean>; positional: string[] } {
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) flags[name] = inline;
    else if (switches.includes(name)) flags[name] = true;
    else if (i + 1 < argv.length) flags[name] = argv[++i]!;
    else throw new Error(`--${name} needs a value`);
  }
  return { flags, positional };
}
