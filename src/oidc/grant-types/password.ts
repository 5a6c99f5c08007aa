import { runAfterLoginHook } from '../../claims/hooks.js';
import { subjectFor } from '../../claims/subject.js';
import { oauthError } from '../../errors/oauth-error.js';
import { loginSucceeded, releaseAttempt, reserveClientAttempt, reserveLoginAttempt } from '../../sessions/login-throttle.js';
import { checkPassword } from '../../users/password-check.js';
import { authorizationEnd, recordAuthorization } from '../../tokens/authorizations.js';
import { issueTokenSet } from '../issue/token-set.js';
import { requestedResources } from '../resource-indicators/requested.js';
import { tokenTarget } from '../resource-indicators/token-target.js';
import { allowedScopes, parseScope } from '../scopes.js';
import type { GrantTypeContext, GrantTypeHandler } from '../token/grant-type.js';

/** One answer for an unknown user, a wrong password, a disabled user and a lock-out. */
const failed = () => oauthError('invalid_grant', 'the username or password is incorrect');

function credential(body: Record<string, unknown>, name: 'username' | 'password'): string {
  const v = body[name];
  if (typeof v !== 'string' || !v) throw oauthError('invalid_request', `${name} is required`);
  return v;
}

/**
 * The scopes asked for (all must be the client's), or by default everything the client
 * may use but offline access. A refresh token only with offline_access asked for and the
 * refresh_token grant allowed to the client; otherwise offline_access means nothing.
 */
function grantedScopes({ client, body }: GrantTypeContext): { scopes: string[]; offline: boolean } {
  const requested = parseScope(body.scope);
  const scopes = requested.length ? allowedScopes(client, requested) : client.scopes.filter((s) => s !== 'offline_access');
  const offline = scopes.includes('offline_access') && client.grantTypes.includes('refresh_token');
  return { scopes: offline ? scopes : scopes.filter((s) => s !== 'offline_access'), offline };
}

/**
 * Resource owner password credentials (RFC 6749 4.3), only where the tenant switched it
 * on (token/index.ts) and the client has `password` in its grant types. Brute force is
 * throttled per username (shared with the login page) and per client, with exponential
 * back-off (sessions/login-throttle.ts; RFC 6749 4.3.2 requires protection). Unknown
 * users are checked against a dummy hash, so neither the answer nor its timing says
 * whether the user exists.
 *
 * RFC 8707: `resource` names resource servers the client may use (as for
 * client_credentials, there is no earlier request to narrow); checked before the password,
 * so a refused resource costs no login attempt. The grant records them, so a refresh
 * narrows to one of them (docs/token-services.md "Resource indicators (RFC 8707)").
 */
export const password: GrantTypeHandler = async (ctx) => {
  const { rt, tenant, client, body } = ctx;
  const username = credential(body, 'username').trim().slice(0, 256);
  const secret = credential(body, 'password').slice(0, 1024);
  const { scopes, offline } = grantedScopes(ctx);
  const resource = requestedResources(tenant, body.resource);
  const target = await tokenTarget(tenant, client.clientId, resource, null);

  const loginFailed = (reason: string) =>
    rt.events.emit(tenant, {
      type: 'LOGIN_FAILURE',
      clientId: client.clientId,
      data: { username, reason, via: 'password_grant', ip: ctx.input.ip ?? null },
    });
  // Both counters are reserved before the password is checked (sessions/login-throttle.ts);
  // an attempt refused by one is given back to the other, as it was not evaluated.
  const [userAttempt, clientAttempt] = await Promise.all([
    reserveLoginAttempt(tenant, username),
    reserveClientAttempt(tenant, client.clientId),
  ]);
  if (!userAttempt.allowed || !clientAttempt.allowed) {
    await Promise.all([releaseAttempt(tenant, userAttempt), releaseAttempt(tenant, clientAttempt)]);
    loginFailed('locked_out');
    throw failed();
  }
  const user = await checkPassword(tenant, username, secret);
  if (!user) {
    loginFailed('invalid_credentials');
    throw failed();
  }
  await Promise.all([loginSucceeded(tenant, userAttempt), releaseAttempt(tenant, clientAttempt)]);
  // The tenant's AFTER_LOGIN hook decides here as on the login page (claims/hooks.ts).
  const hook = await runAfterLoginHook(rt, tenant, { user, client, scopes, amr: ['pwd'], sub: subjectFor(rt, tenant, client, user) });
  if (hook.action !== 'allow') {
    rt.events.emit(tenant, {
      type: 'LOGIN_DENIED',
      userId: user._id,
      clientId: client.clientId,
      data:
        hook.action === 'deny'
          ? { username: user.username, reason: 'denied', message: hook.message, via: 'password_grant' }
          : { username: user.username, reason: 'step_required', step: hook.step, via: 'password_grant' },
    });
    throw oauthError('invalid_grant', hook.action === 'deny' ? hook.message : `additional verification is required (${hook.step})`);
  }
  rt.events.emit(tenant, {
    type: 'LOGIN_SUCCESS',
    userId: user._id,
    clientId: client.clientId,
    data: { username: user.username, amr: ['pwd'], via: 'password_grant', ip: ctx.input.ip ?? null },
  });

  const now = tenant.clock.date();
  const authorization = await recordAuthorization(
    tenant,
    {
      userId: user._id,
      clientId: client.clientId,
      sid: '',
      scopes,
      authTime: Math.floor(now.getTime() / 1000),
      acr: tenant.settings.passwordAcr,
      amr: ['pwd'],
      resource,
      offlineAccess: offline,
      expiresAt: authorizationEnd(tenant, { offlineAccess: offline, viaCode: false }, now),
    },
    now,
  );
  return issueTokenSet(rt, tenant, {
    authorization,
    user,
    client,
    scopes,
    target,
    withRefreshToken: offline,
    withNonce: false,
    grantType: 'password',
    jkt: ctx.dpop?.jkt,
  });
};
