import { decodeProtectedHeader, jwtVerify } from 'jose';
import { oauthError } from '../../errors/oauth-error.js';
import { verifyOwnJwt } from '../../keys/jwt.js';
import { clientSecretCopy } from '../../services/clients.js';
import type { AuthorizeContext } from './context.js';

/**
 * `id_token_hint`: an ID token this tenant issued to this client (expired ones are
 * fine: it is a hint about who, not a credential). Its `sub` is compared with the
 * session's user later.
 */
export async function checkIdTokenHint(ctx: AuthorizeContext): Promise<void> {
  const token = ctx.params.get('id_token_hint');
  if (token === undefined) return;
  const { rt, tenant } = ctx;
  const client = ctx.client!;
  let sub: unknown;
  try {
    const alg = decodeProtectedHeader(token).alg;
    if (alg === 'HS256') {
      // Clients with HS256 ID tokens got them signed with their own secret.
      const secret = clientSecretCopy(rt, tenant, client);
      if (!secret) throw new Error('no secret');
      const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
        issuer: tenant.issuer,
        audience: client.clientId,
        algorithms: ['HS256'],
        clockTolerance: Number.MAX_SAFE_INTEGER,
      });
      sub = payload.sub;
    } else {
      const { payload } = await verifyOwnJwt(await rt.keyRings.get(tenant), token, { issuer: tenant.issuer, audience: client.clientId, ignoreExpiry: true });
      sub = payload.sub;
    }
  } catch {
    throw oauthError('invalid_request', 'id_token_hint is not a valid ID token issued to this client');
  }
  if (typeof sub !== 'string' || !sub) throw oauthError('invalid_request', 'id_token_hint has no sub');
  ctx.request.idTokenHintSub = sub;
}
