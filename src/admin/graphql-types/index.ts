import type { Resolvers } from '../generated/resolvers-types.js';
import { audited } from '../audit.js';
import { AuditEvent, auditQueries, TenantAuditEvents } from './audit-event.js';
import { ClaimMapping, claimResolverMutations, claimResolverQueries, Hook, TenantClaimResolvers } from './claim-resolver.js';
import { Client, clientMutations, clientQueries } from './client.js';
import { ClientConsents, Consent, consentMutations, consentQueries, UserConsents } from './consent.js';
import { InitialAccessToken, initialAccessTokenMutations, TenantInitialAccessTokens } from './initial-access-token.js';
import { Event, EventDelivery, eventMutations, eventQueries, EventWebhook, TenantEventWebhooks } from './event.js';
import { DateTime, JSON_, URL_ } from './scalars.js';
import { Scope, scopeMutations, TenantScopes } from './scope.js';
import { SigningKey, keyMutations } from './signing-key.js';
import { Tenant, tenantMutations, tenantQueries } from './tenant.js';
import { TenantUsers, User, userMutations, userQueries } from './user.js';
import { Viewer, viewerQueries } from './viewer.js';

/** One file per type; every mutation goes through the audit wrapper. */
export const resolvers: Resolvers = {
  DateTime,
  JSON: JSON_,
  URL: URL_,
  Query: {
    ...viewerQueries,
    ...tenantQueries,
    ...clientQueries,
    ...userQueries,
    ...consentQueries,
    ...auditQueries,
    ...claimResolverQueries,
    ...eventQueries,
  },
  Mutation: audited({
    ...tenantMutations,
    ...clientMutations,
    ...userMutations,
    ...keyMutations,
    ...scopeMutations,
    ...consentMutations,
    ...initialAccessTokenMutations,
    ...claimResolverMutations,
    ...eventMutations,
  }),
  Viewer,
  Tenant: {
    ...Tenant,
    ...TenantUsers,
    ...TenantScopes,
    ...TenantInitialAccessTokens,
    ...TenantAuditEvents,
    ...TenantClaimResolvers,
    ...TenantEventWebhooks,
  },
  Client: { ...Client, ...ClientConsents },
  User: { ...User, ...UserConsents },
  SigningKey,
  Scope,
  Consent,
  InitialAccessToken,
  AuditEvent,
  ClaimMapping,
  Hook,
  Event,
  EventWebhook,
  EventDelivery,
};
