import type { CodegenConfig } from '@graphql-codegen/cli';

// Resolver types are generated from schema/*.graphql, never hand-written.
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  generates: {
    'src/admin/generated/resolvers-types.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        contextType: '../context.js#AdminContext',
        useIndexSignature: true,
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'Date', JSON: 'unknown', URL: 'string' },
        mappers: {
          Tenant: '../../tenancy/tenant-record.js#TenantRecord',
          Client: '../../clients/client-record.js#ClientRecord',
          User: '../../users/user-record.js#UserRecord',
          SigningKey: '../../keys/key-record.js#PublicSigningKeyRecord',
          Scope: '../../tenancy/tenant-record.js#ScopeDefinition',
          Consent: '../../users/consent-record.js#ConsentRecord',
          AuditEvent: '../../events/audit-event-record.js#AuditEventRecord',
          InitialAccessToken: '../../clients/initial-access-token-record.js#InitialAccessTokenRecord',
          Viewer: '../authz.js#AdminPrincipal',
          ClaimResolver: '../../tenancy/tenant-record.js#ClaimResolverDefinition',
          ClaimMapping: '../../tenancy/tenant-record.js#ClaimMappingDefinition',
          Hook: '../../tenancy/tenant-record.js#HookDefinition',
          ClaimsPreview: '../../claims/claims-preview.js#ClaimsPreviewResult',
          Event: '../../events/event-record.js#EventRecord',
          EventWebhook: '../../events/event-webhooks.js#EventWebhookView',
          EventDelivery: '../../events/event-delivery-record.js#EventDeliveryRecord',
          ResourceServer: '../../resources/resource-server-record.js#ResourceServerRecord',
        },
      },
    },
  },
};
export default config;
