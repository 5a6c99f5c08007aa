/**
 * A tiny browser for driving the authorization endpoint and the login/consent pages
 * over real HTTP without a real browser: a cookie jar with RFC 6265 path matching,
 * manual redirect following (so a test sees every hop and stops at the client's
 * redirect URI), and parsing of the pages' forms (hidden fields such as the CSRF token
 * included) so they can be submitted as a browser would.
 */

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expiresAt?: number;
  httpOnly: boolean;
  sameSite?: string;
  secure: boolean;
}

export interface Hop {
  method: string;
  url: string;
  status: number;
  location?: string;
}

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

export interface ParsedForm {
  action: string;
  method: string;
  /** Input fields with their current values (hidden ones included). */
  fields: Record<string, string>;
  /** Submit buttons (name/value pairs). */
  buttons: { name: string; value: string }[];
}

/** The result of following a navigation until it leaves the provider or shows a page. */
export type Landing = { kind: 'redirect'; url: string; hops: Hop[] } | { kind: 'page'; page: Page; hops: Hop[] };

const decodeEntities = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? decodeEntities(m[1]!) : undefined;
}

/** Path match of RFC 6265 section 5.1.4. */
function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (cookiePath === requestPath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

export class Browser {
  readonly cookies: StoredCookie[] = [];

  /** Cookies the jar would send to `url`, most specific path first (as browsers order them). */
  cookieHeader(url: string): string {
    const u = new URL(url);
    const now = Date.now();
    return this.cookies
      .filter(
        (c) =>
          c.host === u.hostname &&
          pathMatches(c.path, u.pathname) &&
          (!c.secure || u.protocol === 'https:') &&
          (c.expiresAt === undefined || c.expiresAt > now),
      )
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  cookie(name: string, url?: string): StoredCookie | undefined {
    return this.cookies.find((c) => c.name === name && (!url || pathMatches(c.path, new URL(url).pathname)));
  }

  private store(url: string, headers: Headers): void {
    const u = new URL(url);
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const cookie: StoredCookie = {
        name: pair!.slice(0, eq),
        value: pair!.slice(eq + 1),
        host: u.hostname,
        path: '/',
        httpOnly: false,
        secure: false,
      };
      let maxAge: number | undefined;
      for (const a of attrs) {
        const [k, v] = a.split('=');
        const key = k!.toLowerCase();
        if (key === 'path') cookie.path = v ?? '/';
        else if (key === 'max-age') maxAge = Number(v);
        else if (key === 'httponly') cookie.httpOnly = true;
        else if (key === 'secure') cookie.secure = true;
        else if (key === 'samesite') cookie.sameSite = v;
      }
      if (maxAge !== undefined) cookie.expiresAt = Date.now() + maxAge * 1000;
      const i = this.cookies.findIndex((c) => c.name === cookie.name && c.path === cookie.path && c.host === cookie.host);
      if (i >= 0) this.cookies.splice(i, 1);
      if (maxAge === undefined || maxAge > 0) this.cookies.push(cookie);
    }
  }

  /** One request, no redirect following; cookies are sent and stored. */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> | URLSearchParams; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Page> {
    const headers: Record<string, string> = { ...init.headers };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form as Record<string, string>).toString();
    }
    const res = await fetch(url, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
      signal: init.signal,
    });
    this.store(url, res.headers);
    return { url, status: res.status, headers: res.headers, body: await res.text() };
  }

  /**
   * Navigates and follows redirects while they stay on `providerOrigin`; stops at the
   * first redirect elsewhere (the client's redirect URI) or at the first page.
   */
  async navigate(url: string, providerOrigin: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Landing> {
    const hops: Hop[] = [];
    let current = url;
    let page = await this.request(current, init);
    let method = init.method ?? (init.form ? 'POST' : 'GET');
    for (let i = 0; i < 20; i++) {
      const location = page.headers.get('location') ?? undefined;
      hops.push({ method, url: current, status: page.status, location });
      if (page.status < 300 || page.status >= 400 || !location) return { kind: 'page', page, hops };
      const next = new URL(location, current).href;
      if (new URL(next).origin !== providerOrigin) return { kind: 'redirect', url: location, hops };
      current = next;
      method = 'GET';
      page = await this.request(current);
    }
    throw new Error('too many redirects');
  }

  /** Submits a parsed form (fields merged with overrides, plus the clicked button). */
  async submit(
    form: ParsedForm,
    providerOrigin: string,
    overrides: Record<string, string> = {},
    button?: { name: string; value: string },
  ): Promise<Landing> {
    const data: Record<string, string> = { ...form.fields, ...overrides };
    if (button) data[button.name] = button.value;
    return this.navigate(form.action, providerOrigin, { method: form.method.toUpperCase(), form: data });
  }
}

/** Every form of a page, with its inputs and submit buttons. */
export function parseForms(html: string, baseUrl: string): ParsedForm[] {
  const forms: ParsedForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const tag = m[1]!;
    const inner = m[2]!;
    const fields: Record<string, string> = {};
    for (const input of inner.matchAll(/<input\b[^>]*>/gi)) {
      const name = attr(input[0], 'name');
      if (!name) continue;
      const type = (attr(input[0], 'type') ?? 'text').toLowerCase();
      if (type === 'submit') continue;
      fields[name] = attr(input[0], 'value') ?? '';
    }
    const buttons: { name: string; value: string }[] = [];
    for (const b of inner.matchAll(/<button\b[^>]*>/gi)) {
      const name = attr(b[0], 'name');
      if (name) buttons.push({ name, value: attr(b[0], 'value') ?? '' });
    }
    forms.push({
      action: new URL(attr(` ${tag}`, 'action') ?? baseUrl, baseUrl).href,
      method: attr(` ${tag}`, 'method') ?? 'get',
      fields,
      buttons,
    });
  }
  return forms;
}

export function loginForm(page: Page): ParsedForm | undefined {
  return parseForms(page.body, page.url).find((f) => 'password' in f.fields && 'username' in f.fields);
}

export function consentForm(page: Page): ParsedForm | undefined {
  return parseForms(page.body, page.url).find((f) => f.buttons.some((b) => b.name === 'decision'));
}

export interface FlowOptions {
  username?: string;
  password?: string;
  /** What to answer on the consent page; undefined fails the flow if the page appears. */
  consent?: 'allow' | 'deny';
  /** Called with each page shown (e.g. to assert on it). */
  onPage?: (kind: 'login' | 'consent' | 'select_account', page: Page) => void | Promise<void>;
  /** Answer for the account page (prompt=select_account). */
  selectAccount?: 'continue' | 'switch';
}

/** The end of a whole browser flow: a redirect to the client, a form_post page, or another page (an error page). */
export type FlowEnd =
  | { kind: 'redirect'; url: string; seen: string[] }
  | { kind: 'form_post'; action: string; fields: Record<string, string>; page: Page; seen: string[] }
  | { kind: 'page'; page: Page; seen: string[] };

/**
 * Opens an authorization URL and completes whatever pages appear (login, account,
 * consent) until the provider hands the browser back to the client.
 */
export async function runFlow(browser: Browser, authorizationUrl: string, opts: FlowOptions = {}): Promise<FlowEnd> {
  const origin = new URL(authorizationUrl).origin;
  const seen: string[] = [];
  let landing = await browser.navigate(authorizationUrl, origin);
  for (let i = 0; i < 10; i++) {
    if (landing.kind === 'redirect') return { kind: 'redirect', url: landing.url, seen };
    const page = landing.page;
    const forms = parseForms(page.body, page.url);
    const login = loginForm(page);
    const consent = consentForm(page);
    const account = forms.find((f) => f.buttons.some((b) => b.name === 'account'));
    if (login && opts.username !== undefined) {
      seen.push('login');
      await opts.onPage?.('login', page);
      landing = await browser.submit(login, origin, { username: opts.username, password: opts.password ?? '' });
      continue;
    }
    if (account && opts.selectAccount) {
      seen.push('select_account');
      await opts.onPage?.('select_account', page);
      landing = await browser.submit(account, origin, {}, { name: 'account', value: opts.selectAccount });
      opts = { ...opts, selectAccount: undefined };
      continue;
    }
    if (consent && opts.consent) {
      seen.push('consent');
      await opts.onPage?.('consent', page);
      landing = await browser.submit(consent, origin, {}, { name: 'decision', value: opts.consent });
      continue;
    }
    const post = forms.find((f) => f.method.toLowerCase() === 'post' && new URL(f.action).origin !== origin);
    if (post && page.status === 200) return { kind: 'form_post', action: post.action, fields: post.fields, page, seen };
    if (login) seen.push('login');
    else if (consent) seen.push('consent');
    else if (account) seen.push('select_account');
    return { kind: 'page', page, seen };
  }
  throw new Error('the flow did not finish');
}

/** Parameters of an authorization response delivered by redirect (query or fragment). */
export function responseParams(url: string): URLSearchParams {
  const u = new URL(url);
  return u.hash.length > 1 ? new URLSearchParams(u.hash.slice(1)) : u.searchParams;
}
