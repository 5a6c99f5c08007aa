import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import { limits } from '../config/defaults.js';
import type { Runtime } from '../runtime.js';
import { authenticateAdmin } from './authz.js';
import { createAdminContext, type AdminContext } from './context.js';
import { formatAdminError } from './format-error.js';
import { serviceUnavailableStatus } from './unavailable-plugin.js';
import { serviceUnavailable } from '../errors/admin-error.js';
import { RETRY_AFTER, isStoreUnavailable } from '../errors/unavailable.js';
import { graphqlTracingPlugins } from '../telemetry/graphql-spans.js';
import { resolvers } from './graphql-types/index.js';
import { shield } from './shield.js';

const schemaDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema');

export function loadTypeDefs(): string {
  return readdirSync(schemaDir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(schemaDir, f), 'utf8'))
    .join('\n');
}

/** Builds the admin GraphQL server; no side effects, so tests can build it without listening. */
export function createAdminServer(rt: Runtime): ApolloServer<AdminContext> {
  const armor = shield();
  return new ApolloServer<AdminContext>({
    typeDefs: loadTypeDefs(),
    resolvers: resolvers as never,
    // Introspection is safe to leave on: the context refuses every anonymous request.
    introspection: true,
    formatError: formatAdminError(rt.log),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), ...armor.plugins, ...graphqlTracingPlugins(), serviceUnavailableStatus],
    validationRules: armor.validationRules,
    parseOptions: armor.parseOptions,
    // main.ts owns graceful shutdown; Apollo's own signal handlers would race it.
    stopOnTerminationSignals: false,
  });
}

/** The `/graphql` handler: JSON body limit, bearer authentication, per-request context. */
export async function adminHandler(rt: Runtime): Promise<{ handler: RequestHandler; stop: () => Promise<void> }> {
  const server = createAdminServer(rt);
  await server.start();
  const router = express.Router();
  router.use(express.json({ limit: limits.bodyBytes }));
  router.use(
    expressMiddleware(server, {
      context: async ({ req }) => {
        try {
          return createAdminContext(rt, await authenticateAdmin(rt, req.headers.authorization));
        } catch (err) {
          // The token could not be checked because the database is away: 503, never a 500
          // and never "valid" (admin access fails closed).
          if (isStoreUnavailable(err) || (err instanceof GraphQLError && err.extensions.code === 'SERVICE_UNAVAILABLE')) {
            const e = err instanceof GraphQLError ? err : serviceUnavailable();
            throw new GraphQLError(e.message, {
              extensions: {
                ...e.extensions,
                code: 'SERVICE_UNAVAILABLE',
                http: { status: 503, headers: new Map([['retry-after', RETRY_AFTER]]) },
              },
            });
          }
          if (err instanceof GraphQLError) {
            // Fail-closed admin authentication (authz.ts) is a "try again", not a refusal.
            if (err.extensions.code === 'SERVICE_UNAVAILABLE') {
              throw new GraphQLError(err.message, {
                extensions: { ...err.extensions, http: { status: 503, headers: new Map([['retry-after', '2']]) } },
              });
            }
            const status = err.extensions.code === 'UNAUTHENTICATED' ? 401 : 403;
            throw new GraphQLError(err.message, {
              extensions: { ...err.extensions, http: { status, headers: new Map([['www-authenticate', 'Bearer realm="gatehouse"']]) } },
            });
          }
          throw err;
        }
      },
    }),
  );
  return { handler: router, stop: () => server.stop() };
}
