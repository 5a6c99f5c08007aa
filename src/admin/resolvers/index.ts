import type { Resolvers } from '../generated/resolvers-types.js';
import { Client, clientMutations } from './client.js';
import { DateTime, JSON_, URL_ } from './scalars.js';
import { SigningKey, keyMutations } from './signing-key.js';
import { Tenant, tenantMutations, tenantQueries } from './tenant.js';
import { User, userMutations } from './user.js';

export const resolvers: Resolvers = {
  DateTime,
  JSON: JSON_,
  URL: URL_,
  Query: { ...tenantQueries },
  Mutation: { ...tenantMutations, ...clientMutations, ...userMutations, ...keyMutations },
  Tenant,
  Client,
  User,
  SigningKey,
};
