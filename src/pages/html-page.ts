import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * The branded HTML shell shared by the login, consent and account pages and by the
 * authorization endpoint's error and form_post pages. No external assets: styles are
 * inline and allowed by a per-response nonce; the only outside resource is the tenant's
 * own logo, allowed by its origin alone.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- callers pass strings and numbers; anything else is a bug shown, not a crash
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

const DEFAULT_PRIMARY = '#2f5bea';

/** Only a plain hex colour reaches the stylesheet, so branding cannot inject CSS. */
export function primaryColor(tenant: TenantContext): string {
  const c = tenant.record.branding?.primaryColor?.trim();
  return c && /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(c) ? c : DEFAULT_PRIMARY;
}

function logoUrl(tenant: TenantContext): URL | null {
  const raw = tenant.record.branding?.logoUrl?.trim();
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

/** Black or white text, whichever reads better on the brand colour (WCAG relative luminance). */
function onColor(hex: string): string {
  const full = hex.length === 4 ? `#${hex[1]}${hex[1]}${hex[2]}${hex[2]}${hex[3]}${hex[3]}` : hex;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const v = parseInt(full.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const l = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  return l > 0.4 ? '#111827' : '#ffffff';
}

/** A CSP source for where a form (or the redirects after it) may navigate to. */
export function formTarget(uri: string): string | null {
  try {
    const u = new URL(uri);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
    return /^[a-z][a-z0-9+.-]*:$/i.test(u.protocol) ? u.protocol : null;
  } catch {
    return null;
  }
}

export interface PageOptions {
  tenant: TenantContext;
  title: string;
  /** Already-escaped HTML. */
  body: string;
  status?: number;
  /** Extra form-action sources (e.g. the client's redirect URI, reached by redirect after a POST). */
  formTargets?: string[];
  /** Inline script, allowed by the nonce (form_post auto-submit). */
  script?: string;
  /** Omit 'self' from form-action (form_post posts only to the client). */
  selfForms?: boolean;
  /** Origins the page may embed in iframes (front-channel logout); none by default. */
  frameTargets?: string[];
}

const STYLE = (primary: string, on: string) => `
:root{--primary:${primary};--on-primary:${on};--text:#1f2937;--muted:#6b7280;--border:#d1d5db;--bg:#f3f4f6;--danger:#b42318}
*{box-sizing:border-box}
html,body{margin:0;padding:0}
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:var(--bg);color:var(--text);min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;padding:24px 16px;line-height:1.5}
.card{width:100%;max-width:420px;background:#fff;border-radius:14px;box-shadow:0 1px 2px rgba(16,24,40,.06),0 12px 32px rgba(16,24,40,.10);overflow:hidden}
.band{height:6px;background:var(--primary)}
.inner{padding:32px 32px 28px}
.brand{display:flex;align-items:center;gap:12px;margin-bottom:24px}
.brand img{max-height:40px;max-width:160px}
.brand .mark{width:40px;height:40px;border-radius:10px;background:var(--primary);color:var(--on-primary);display:flex;align-items:center;justify-content:center;font-weight:700;font-size:20px}
.brand .name{font-weight:600;font-size:17px}
h1{font-size:22px;line-height:1.3;margin:0 0 8px}
.lead{color:var(--muted);margin:0 0 24px}
label{display:block;font-weight:600;font-size:14px;margin:0 0 6px}
input[type=text],input[type=password]{width:100%;padding:11px 12px;font-size:16px;border:1px solid var(--border);border-radius:8px;margin-bottom:16px;background:#fff;color:var(--text)}
input:focus{outline:2px solid var(--primary);outline-offset:1px;border-color:var(--primary)}
.btn{display:block;width:100%;padding:12px 16px;font-size:16px;font-weight:600;border-radius:8px;border:1px solid var(--primary);background:var(--primary);color:var(--on-primary);cursor:pointer;text-align:center;text-decoration:none}
.btn:hover{filter:brightness(.95)}
.btn.secondary{background:#fff;color:var(--text);border-color:var(--border)}
.actions{display:flex;flex-direction:column;gap:10px;margin-top:8px}
.alert{border:1px solid #fecdca;background:#fef3f2;color:var(--danger);border-radius:8px;padding:10px 12px;margin:0 0 18px;font-size:14px}
.scopes{list-style:none;padding:0;margin:0 0 24px;border:1px solid var(--border);border-radius:10px}
.scopes li{padding:12px 14px;border-top:1px solid #eef0f3;display:flex;gap:10px}
.scopes li:first-child{border-top:0}
.scopes .dot{flex:none;width:8px;height:8px;border-radius:50%;background:var(--primary);margin-top:8px}
.scopes .what{font-weight:600}
.scopes .why{color:var(--muted);font-size:14px}
.account{border:1px solid var(--border);border-radius:10px;padding:12px 14px;margin:0 0 20px}
.fine{color:var(--muted);font-size:13px;margin:18px 0 0}
footer{color:var(--muted);font-size:12px;margin-top:18px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px}
`;

/** Renders a page with its own strict security headers (helmet's default CSP allows nothing). */
export function sendPage(res: Response, opts: PageOptions): void {
  const { tenant } = opts;
  const nonce = randomBytes(16).toString('base64');
  const primary = primaryColor(tenant);
  const logo = logoUrl(tenant);
  const name = tenant.record.displayName || tenant.slug;
  const brand = logo
    ? `<img src="${escapeHtml(logo.href)}" alt="${escapeHtml(name)}"><span class="name">${escapeHtml(name)}</span>`
    : `<span class="mark" aria-hidden="true">${escapeHtml(name.trim().charAt(0).toUpperCase() || '•')}</span><span class="name">${escapeHtml(name)}</span>`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(opts.title)} · ${escapeHtml(name)}</title>
<style nonce="${nonce}">${STYLE(primary, onColor(primary))}</style>
</head>
<body>
<main class="card"><div class="band"></div><div class="inner">
<div class="brand">${brand}</div>
<h1>${escapeHtml(opts.title)}</h1>
${opts.body}
</div></main>
<footer>Secured by Gatehouse</footer>
${opts.script ? `<script nonce="${nonce}">${opts.script}</script>` : ''}
</body>
</html>`;

  const formSources = [...(opts.selfForms === false ? [] : ["'self'"]), ...(opts.formTargets ?? [])];
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    opts.script ? `script-src 'nonce-${nonce}'` : null,
    `img-src ${logo ? logo.origin : "'none'"}`,
    opts.frameTargets?.length ? `frame-src ${[...new Set(opts.frameTargets)].join(' ')}` : null,
    `form-action ${formSources.length ? [...new Set(formSources)].join(' ') : "'none'"}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ]
    .filter(Boolean)
    .join('; ');
  res.status(opts.status ?? 200);
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(html);
}
