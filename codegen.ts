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
          Tenant: '../../store/models/tenant.js#TenantRecord',
          Client: '../../store/models/client.js#ClientRecord',
          User: '../../store/models/user.js#UserRecord',
          SigningKey: '../../keys/key-record.js#SigningKeyRecord',
          Scope: '../../store/models/tenant.js#ScopeDefinition',
          Consent: '../../store/models/consent.js#ConsentRecord',
          AuditEvent: '../../store/models/audit-event.js#AuditEventRecord',
          InitialAccessToken: '../../store/models/initial-access-token.js#InitialAccessTokenRecord',
          Viewer: '../authz.js#AdminPrincipal',
          ClaimResolver: '../../store/models/tenant.js#ClaimResolverDefinition',
          ClaimMapping: '../../store/models/tenant.js#ClaimMappingDefinition',
          Hook: '../../store/models/tenant.js#HookDefinition',
          ClaimsPreview: '../../services/claims-preview.js#ClaimsPreviewResult',
          Event: '../../store/models/event.js#EventRecord',
          EventWebhook: '../../services/event-webhooks.js#EventWebhookView',
          EventDelivery: '../../store/models/event-delivery.js#EventDeliveryRecord',
          ResourceServer: '../../store/models/resource-server.js#ResourceServerRecord',
        },
      },
    },
  },
};
export default config;
