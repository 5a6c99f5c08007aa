import type { AuthorizeContext } from './context.js';

/** Locales the pages are written in. */
export const UI_LOCALES = ['en'];

/**
 * `login_hint` (prefills the username), `acr_values` (voluntary, OIDC Core 3.1.2.1:
 * recorded; the ID token says which acr was actually used, see check-acr.ts) and `ui_locales` (the first one we speak; a
 * preference, never an error).
 */
export function checkHints(ctx: AuthorizeContext): void {
  const loginHint = ctx.params.get('login_hint');
  if (loginHint !== undefined) ctx.request.loginHint = loginHint.slice(0, 256);
  const acr = ctx.params.get('acr_values');
  if (acr !== undefined) ctx.request.acrValues = acr.split(' ').filter(Boolean).slice(0, 10);
  const wanted = (ctx.params.get('ui_locales') ?? '').split(' ').filter(Boolean);
  ctx.request.uiLocale = wanted.map((l) => l.toLowerCase().split('-')[0]!).find((l) => UI_LOCALES.includes(l)) ?? UI_LOCALES[0];
}
