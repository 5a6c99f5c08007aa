import type { ApolloServerPlugin } from '@apollo/server';
import { context, SpanStatusCode } from '@opentelemetry/api';
import { activeTracer } from './tracing.js';
import { TENANT_ATTRIBUTE, tenantIn } from './tenant-context.js';

/** The tenant an admin operation is about: its `tenant` or `slug` variable, when it has one. */
function tenantOfVariables(variables: Record<string, unknown> | undefined): string | undefined {
  const v = variables?.tenant ?? variables?.slug;
  return typeof v === 'string' ? v : undefined;
}

/**
 * A span per GraphQL operation (name and type, never the document or the variables' values),
 * a child of the HTTP request's span. Returns no plugin when tracing is off.
 */
export function graphqlTracingPlugins(): ApolloServerPlugin[] {
  const tracer = activeTracer();
  if (!tracer) return [];
  return [
    {
      async requestDidStart({ request }) {
        const span = tracer.startSpan('graphql', {}, context.active());
        const tenant = tenantOfVariables(request.variables) ?? tenantIn(context.active());
        if (tenant) span.setAttribute(TENANT_ATTRIBUTE, tenant);
        return {
          async didResolveOperation({ operation, operationName }) {
            const type = operation?.operation ?? 'query';
            span.updateName(`graphql ${type}${operationName ? ` ${operationName}` : ''}`);
            span.setAttribute('graphql.operation.type', type);
            if (operationName) span.setAttribute('graphql.operation.name', operationName);
          },
          async willSendResponse({ errors }) {
            const codes = (errors ?? []).map((e) => e.extensions?.code).filter((c): c is string => typeof c === 'string');
            if (codes.length) span.setAttribute('graphql.error.codes', [...new Set(codes)]);
            if (errors?.length) span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
          },
        };
      },
    },
  ];
}
