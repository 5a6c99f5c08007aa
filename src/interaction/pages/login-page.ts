import type { Response } from 'express';
import { escapeHtml, formTarget, sendPage } from '../../pages/html-page.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { CSRF_FIELD } from '../csrf.js';
import type { LoginFlash } from '../../interactions/interaction.js';
import type { LoadedInteraction } from '../load-interaction.js';

/** One message for every failed login: it never tells whether the username exists. */
export const LOGIN_FAILED_MESSAGE =
  'Incorrect username or password. After repeated failures, sign-in is paused for a while: wait a few minutes before trying again.';

const REASONS: Record<string, string> = {
  prompt_login: 'The application asked you to sign in again.',
  max_age: 'Your last sign-in was a while ago. Please sign in again.',
  id_token_hint: 'Sign in with the account the application expects.',
  select_account: 'Sign in with another account.',
};

export function renderLoginPage(res: Response, tenant: TenantContext, ia: LoadedInteraction, csrf: string, flash: LoginFlash | null): void {
  const { details } = ia;
  const username = flash?.username ?? details.loginHint ?? '';
  const reason = details.loginReason ? REASONS[details.loginReason] : undefined;
  const target = formTarget(details.redirectUri);
  sendPage(res, {
    tenant,
    title: 'Sign in',
    formTargets: target ? [target] : [],
    body: `<p class="lead">to continue to <strong>${escapeHtml(details.clientName)}</strong></p>
${reason ? `<p>${escapeHtml(reason)}</p>` : ''}
${flash ? `<div class="alert" role="alert">${escapeHtml(flash.message)}</div>` : ''}
<form method="post" action="${escapeHtml(`${tenant.issuer}/interaction/${ia.id}/login`)}" autocomplete="on">
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrf)}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${escapeHtml(username)}" autocomplete="username" autocapitalize="none" spellcheck="false" required${username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${username ? ' autofocus' : ''}>
<div class="actions"><button class="btn" type="submit">Sign in</button></div>
</form>
<p class="fine">Signing in to ${escapeHtml(tenant.record.displayName)}. Only enter your password on this page if the address bar shows the provider you expect.</p>`,
  });
}
