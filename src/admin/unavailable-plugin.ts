import type { ApolloServerPlugin } from '@apollo/server';
import { RETRY_AFTER } from '../errors/unavailable.js';

/**
 * A GraphQL answer that failed because the database is away is an HTTP 503 with
 * Retry-After (docs/operations.md), not Apollo's usual 200 with errors:
 * tooling and load balancers retry on the status. Partial data is not worth more than a
 * clear "try again" here.
 */
export const serviceUnavailableStatus: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors ?? [];
        if (!errors.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) return;
        response.http.status = 503;
        response.http.headers.set('retry-after', RETRY_AFTER);
      },
    };
  },
};
