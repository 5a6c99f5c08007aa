/**
 * Acme's own code resolvers and hooks (only the tenant `acme` may use them), referred to
 * by name from tenants/examples/acme-claims.yaml. Signatures: src/claims/code-resolvers.ts.
 */
import type { CodeResolverModule } from '../../src/claims/code-resolvers.js';

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export default {
  claims: {
    /** Roles from the user's groups, plus `admin` for the platform team; the client sees only the roles meant for it. */
    roles: (user, client) => {
      const attributes = (user.claims.attributes ?? {}) as Record<string, unknown>;
      const roles = new Set(asStrings(attributes.groups).map((g) => g.toLowerCase()));
      if (attributes.department === 'platform') roles.add('admin');
      const prefix = `${client.clientId}:`;
      return [...roles].filter((r) => !r.includes(':') || r.startsWith(prefix)).sort();
    },
  },
  afterLogin: {
    /** Suspended accounts cannot sign in; contractors need a second factor first. */
    checkAccount: (user) => {
      const attributes = (user.claims.attributes ?? {}) as Record<string, unknown>;
      if (attributes.suspended === true) return { deny: 'Your account is suspended. Contact the Acme service desk.' };
      if (attributes.contractor === true) return { requireStep: 'mfa' };
      return {};
    },
  },
  idTokenProcessing: {
    /** Tells clients which Acme region the user belongs to (iss, sub, aud … cannot be changed here). */
    addRegion: (claims, user) => ({
      'https://acme.example/region': ((user.claims.attributes ?? {}) as Record<string, unknown>).region ?? 'eu',
    }),
  },
  subGenerator: {
    /** Employees are known by their employee number everywhere; others by their Gatehouse id. */
    employeeNumber: (user) => (typeof user.claims.employee_number === 'string' ? `emp-${user.claims.employee_number}` : user.id),
  },
} satisfies CodeResolverModule;
