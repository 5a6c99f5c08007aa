import { oauthError } from '../../errors/oauth-error.js';
import type { ClaimRequestEntry } from '../authorization-result.js';
import type { AuthorizeContext } from './context.js';

/** The acr values a claims request entry accepts (`value` or `values`); undefined = any. */
function acceptable(entry: ClaimRequestEntry | null | undefined): unknown[] | undefined {
  if (!entry) return undefined;
  if (entry.values !== undefined) return entry.values;
  if (entry.value !== undefined) return [entry.value];
  return undefined;
}

/**
 * `acr` requested as an essential claim through the `claims` parameter (OIDC Core
 * 5.5.1.1): when the only authentication the tenant offers (password login, acr =
 * settings.passwordAcr) is not among the accepted values, the request fails at once with
 * `unmet_authentication_requirements` (OpenID Connect Core Error Code
 * unmet_authentication_requirements 1.0) instead of a login that could never satisfy it.
 * A voluntary request (`acr_values`, or acr without essential) is answered with the acr
 * actually used.
 */
export function checkAcr(ctx: AuthorizeContext): void {
  const have = ctx.tenant.settings.passwordAcr;
  for (const member of [ctx.request.claims?.id_token, ctx.request.claims?.userinfo]) {
    const entry = member?.acr;
    if (!entry?.essential) continue;
    const ok = acceptable(entry);
    if (ok && !ok.includes(have)) throw oauthError('unmet_authentication_requirements', 'none of the essential acr values can be met');
  }
}
