import { context, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, MongoClient } from 'mongodb';
import { activeTracer } from './tracing.js';
import { TENANT_ATTRIBUTE, tenantIn } from './tenant-context.js';

/** Commands that are the driver's own housekeeping, not the application's queries. */
const IGNORED = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'saslStart', 'saslContinue', 'endSessions', 'buildInfo', 'getMore']);

/**
 * A client span per MongoDB command, from the driver's command monitoring (the store opens
 * its connection with monitorCommands). Only the command and collection names are recorded,
 * never the command document (it holds token hashes, secrets and personal data). Does
 * nothing when tracing is off.
 */
export function traceMongoCommands(client: MongoClient): void {
  const tracer = activeTracer();
  if (!tracer) return;
  const open = new Map<number, Span>();
  client.on('commandStarted', (e: CommandStartedEvent) => {
    if (IGNORED.has(e.commandName)) return;
    const ctx = context.active();
    const tenant = tenantIn(ctx);
    const collection = e.command[e.commandName] as unknown;
    const span = tracer.startSpan(
      `${e.commandName} ${typeof collection === 'string' ? collection : e.databaseName}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'mongodb',
          'db.operation.name': e.commandName,
          'db.namespace': e.databaseName,
          ...(typeof collection === 'string' ? { 'db.collection.name': collection } : {}),
          ...(tenant ? { [TENANT_ATTRIBUTE]: tenant } : {}),
        },
      },
      ctx,
    );
    open.set(e.requestId, span);
  });
  const finish = (e: CommandSucceededEvent | CommandFailedEvent, failed: boolean) => {
    const span = open.get(e.requestId);
    if (!span) return;
    open.delete(e.requestId);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: (e as CommandFailedEvent).failure?.name });
    span.end();
  };
  client.on('commandSucceeded', (e: CommandSucceededEvent) => finish(e, false));
  client.on('commandFailed', (e: CommandFailedEvent) => finish(e, true));
}
