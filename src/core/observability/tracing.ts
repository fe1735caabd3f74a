import type { ApolloServerPlugin } from '@apollo/server';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config';
import type { RequestContext } from '../context';
import type { Orm } from '../db/orm';
import { requestScope, type RequestScope } from '../logger';
import type { OperationObserver } from './metrics';
import { errorCodeLabel, operationLabel } from './operation-label';

/**
 * OpenTelemetry tracing of one app instance: a span per GraphQL operation over HTTP and a child
 * span per SQL statement it sends, exported over OTLP/HTTP (JSON). The provider belongs to the
 * instance and is never registered globally, so instances (several per test process) neither
 * share nor leak spans; spans are parented explicitly through the request's scope rather than
 * through a global context manager.
 */
export interface Tracing {
  plugin: ApolloServerPlugin<RequestContext>;
  /** A span for an operation served outside Apollo (a subscription), parent of the SQL sent in `scope`. */
  observe(scope: RequestScope, attributes: { requestId: string; channel: string }): OperationObserver;
  /** Exports what is buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

const MAX_STATEMENT_LENGTH = 2000;

export function createTracing(config: TracingConfig, orm: Orm): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.endpoint }))],
  });
  const tracer = provider.getTracer('omnichannel-commerce');
  // The operation span of each HTTP request, found again by the SQL listener through the request scope.
  const operationSpans = new WeakMap<RequestScope, Span>();
  const stopSql = traceStatements(orm, tracer, () => {
    const scope = requestScope.getStore();
    return scope ? operationSpans.get(scope) : undefined;
  });

  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart({ contextValue, request }) {
      const parent = remoteParent(request.http?.headers.get('traceparent'));
      const span = tracer.startSpan(
        'graphql',
        { kind: SpanKind.SERVER, attributes: { 'commerce.request_id': contextValue.requestId, 'commerce.channel': contextValue.channel } },
        parent,
      );
      const scope = requestScope.getStore();
      if (scope) operationSpans.set(scope, span);
      return {
        async didResolveOperation({ operationName, operation }) {
          const name = operationLabel(operationName);
          const type = operation?.operation ?? 'unknown';
          span.updateName(`${type} ${name}`);
          span.setAttributes({ 'graphql.operation.name': name, 'graphql.operation.type': type });
        },
        async didEncounterErrors({ errors }) {
          const codes = errors.map(errorCodeLabel);
          span.setAttribute('graphql.error.codes', codes);
          span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
        },
        async willSendResponse() {
          span.end();
          if (scope) operationSpans.delete(scope);
        },
      };
    },
  };

  const observe = (scope: RequestScope, attributes: { requestId: string; channel: string }): OperationObserver => {
    const span = tracer.startSpan('graphql', {
      kind: SpanKind.SERVER,
      attributes: { 'commerce.request_id': attributes.requestId, 'commerce.channel': attributes.channel, 'commerce.transport': 'websocket' },
    });
    operationSpans.set(scope, span);
    return {
      resolved(operationName, type) {
        const name = operationLabel(operationName);
        span.updateName(`${type} ${name}`);
        span.setAttributes({ 'graphql.operation.name': name, 'graphql.operation.type': type });
      },
      failed(errors) {
        const codes = errors.map(errorCodeLabel);
        span.setAttribute('graphql.error.codes', codes);
        span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
      },
      end() {
        span.end();
        operationSpans.delete(scope);
      },
    };
  };

  return {
    plugin,
    observe,
    async shutdown() {
      stopSql();
      await provider.shutdown();
    },
  };
}

/**
 * Joins the caller's trace when it sends a W3C `traceparent` header (a gateway, a client that
 * traces), so the operation appears inside the caller's trace instead of starting a new one.
 */
function remoteParent(header: string | undefined): Context {
  const match = header && /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header.trim());
  if (!match || /^0+$/.test(match[1]) || /^0+$/.test(match[2])) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: match[1], spanId: match[2], traceFlags: parseInt(match[3], 16) & 1, isRemote: true });
}

interface KnexQuery {
  __knexQueryUid?: string;
  sql?: string;
}

/** A child span per SQL statement, from knex's query events; only statements made while serving an operation. */
function traceStatements(orm: Orm, tracer: Tracer, currentParent: () => Span | undefined): () => void {
  const knex = orm.em.getConnection().getKnex();
  const open = new Map<string, Span>();
  const onQuery = (query: KnexQuery) => {
    const parent = currentParent();
    if (!parent || !query.__knexQueryUid) return;
    const statement = (query.sql ?? '').slice(0, MAX_STATEMENT_LENGTH);
    const span = tracer.startSpan(
      `db ${statement.split(/\s+/, 1)[0]?.toLowerCase() || 'query'}`,
      { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': statement } },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    open.set(query.__knexQueryUid, span);
  };
  const end = (query: KnexQuery | undefined, error?: Error) => {
    const span = query?.__knexQueryUid ? open.get(query.__knexQueryUid) : undefined;
    if (!span) return;
    open.delete(query!.__knexQueryUid!);
    // The driver's message inlines the statement's values: the span keeps its SQLSTATE only.
    if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: `database error ${String((error as { code?: unknown }).code ?? '')}`.trim() });
    span.end();
  };
  const onResponse = (_response: unknown, query: KnexQuery) => end(query);
  const onError = (error: Error, query: KnexQuery) => end(query, error);
  knex.on('query', onQuery);
  knex.on('query-response', onResponse);
  knex.on('query-error', onError);
  return () => {
    knex.off('query', onQuery);
    knex.off('query-response', onResponse);
    knex.off('query-error', onError);
  };
}
