import type { Connection } from 'mongoose';
import { cacheEventModel } from './cache-event.js';
import { clientModel } from './client.js';
import { keysetModel } from './keyset.js';
import { tenantModel } from './tenant.js';
import { tenantSlugModel } from './tenant-slug.js';
import { userModel } from './user.js';
import { authorizationModel } from './authorization.js';
import { authorizationCodeModel } from './authorization-code.js';
import { refreshTokenModel } from './refresh-token.js';
import { accessTokenModel } from './access-token.js';
import { clientAssertionModel } from './client-assertion.js';
import { dpopProofModel } from './dpop-proof.js';
import { interactionModel } from './interaction.js';
import { loginSessionModel } from './login-session.js';
import { consentModel } from './consent.js';
import { loginAttemptModel } from './login-attempt.js';
import { auditEventModel } from './audit-event.js';
import { leaseModel } from './lease.js';
import { initialAccessTokenModel } from './initial-access-token.js';
import { eventModel } from './event.js';
import { eventDeliveryModel } from './event-delivery.js';
import { revocationModel } from './revocation.js';
import { logoutDeliveryModel } from './logout-delivery.js';
import { resourceServerModel } from './resource-server.js';
import { deviceAuthorizationModel } from './device-authorization.js';
import { pushedRequestModel } from './pushed-request.js';
import { keyPoolModel } from './key-pool.js';

/**
 * Every model, registered on the connection at open: indexes are created from this
 * list and tenant deletion cascades to every registered model with a tenantId.
 * A new model file adds its factory here.
 */
export const allModels: ((conn: Connection) => unknown)[] = [
  tenantModel,
  tenantSlugModel,
  keysetModel,
  clientModel,
  userModel,
  cacheEventModel,
  interactionModel,
  loginSessionModel,
  consentModel,
  loginAttemptModel,
  authorizationModel,
  authorizationCodeModel,
  refreshTokenModel,
  accessTokenModel,
  clientAssertionModel,
  dpopProofModel,
  auditEventModel,
  leaseModel,
  initialAccessTokenModel,
  eventModel,
  eventDeliveryModel,
  revocationModel,
  logoutDeliveryModel,
  resourceServerModel,
  deviceAuthorizationModel,
  pushedRequestModel,
  keyPoolModel,
];

export function registerModels(conn: Connection): void {
  for (const make of allModels) make(conn);
}
