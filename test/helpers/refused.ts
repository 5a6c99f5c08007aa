import assert from 'node:assert/strict';
import * as oidc from 'openid-client';

/**
 * The OAuth error code of a refused openid-client call: from a token, device or PAR
 * endpoint's error body, or from an error redirect. Fails the test when the call succeeded.
 */
export async function oauthErrorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof oidc.ResponseBodyError) return err.error;
    if (err instanceof oidc.AuthorizationResponseError) return err.error;
    throw err;
  }
  assert.fail('the request was not refused');
}
