import { UI_LOCALES } from '../authorize/check-hints.js';
import type { EndSessionContext } from './context.js';

/**
 * `ui_locales` (the first language the pages are written in; a preference, never an
 * error) and `logout_hint` (who the RP thinks is logging out: when it names someone
 * other than the signed-in user, the user is asked).
 */
export function readHints(ctx: EndSessionContext): void {
  const wanted = (ctx.params.get('ui_locales') ?? '').split(' ').filter(Boolean);
  ctx.uiLocale = wanted.map((l) => l.toLowerCase().split('-')[0]!).find((l) => UI_LOCALES.includes(l)) ?? UI_LOCALES[0]!;
  const logoutHint = ctx.params.get('logout_hint');
  ctx.logoutHint = logoutHint === undefined ? null : logoutHint.slice(0, 256);
}
