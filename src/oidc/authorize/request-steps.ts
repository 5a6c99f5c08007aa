import { checkFapiAuthorizationRequest } from '../fapi/check-authorization-request.js';
import { checkAcr } from './check-acr.js';
import { checkClaims } from './check-claims.js';
import { checkDpopJkt } from './check-dpop-jkt.js';
import { checkHints } from './check-hints.js';
import { checkIdTokenHint } from './check-id-token-hint.js';
import { checkNonce } from './check-nonce.js';
import { checkPkce } from './check-pkce.js';
import { checkPrompt } from './check-prompt.js';
import { checkRedirectUri } from './check-redirect-uri.js';
import { checkRequestPolicy } from './check-request-policy.js';
import { checkResource } from './check-resource.js';
import { checkResponseMode } from './check-response-mode.js';
import { checkResponseType } from './check-response-type.js';
import { checkScope } from './check-scope.js';
import type { AuthorizeStep } from './context.js';
import { readRequestObjectStep } from './read-request-object.js';
import { rejectRepeatedParameters } from './reject-repeated-parameters.js';

/**
 * The validation of an authorization request once its client is known, in order: the
 * authorization endpoint runs it after finding the client, the PAR endpoint (oidc/par/)
 * after authenticating it, so a pushed request is validated exactly like one sent to
 * the authorization endpoint (RFC 9126 section 2.1). A request object, if any, is read
 * first: its redirect_uri and response_mode count. Until redirect_uri and response_mode
 * pass, errors are not redirected.
 */
export const requestSteps: AuthorizeStep[] = [
  readRequestObjectStep,
  checkRedirectUri,
  checkResponseMode,
  checkRequestPolicy,
  rejectRepeatedParameters,
  checkResponseType,
  checkPrompt,
  checkScope,
  checkNonce,
  checkPkce,
  checkDpopJkt,
  checkFapiAuthorizationRequest,
  checkClaims,
  checkAcr,
  checkHints,
  checkResource,
  checkIdTokenHint,
];
