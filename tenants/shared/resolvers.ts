/**
 * Code resolvers and hooks every tenant may use (tenants/<slug>/resolvers.ts holds a
 * tenant's own). Loaded when Gatehouse starts; a tenant refers to them by name in its
 * claim resolvers (kind CODE, `code: emailDomain`) and hooks. See docs/claims-and-hooks.md.
 */
import type { CodeResolverModule } from '../../src/claims/code-resolvers.js';

export default {
  claims: {
    /** The domain of the user's email address, e.g. for routing in the client. */
    emailDomain: (user) => {
      const email = user.claims.email;
      return typeof email === 'string' && email.includes('@') ? email.slice(email.lastIndexOf('@') + 1).toLowerCase() : null;
    },
  },
} satisfies CodeResolverModule;
