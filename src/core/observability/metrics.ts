import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestContext } from '../context';
import type { Orm } from '../db/orm';
import { errorCodeLabel, operationLabel } from './operation-label';

/** What is measured of one GraphQL operation served outside Apollo's pipeline. */
export interface OperationObserver {
  resolved(operationName: string | null | undefined, type: string): void;
  failed(errors: readonly { readonly extensions?: { readonly code?: unknown } }[]): void;
  /** The operation was answered (for a subscription: established or refused). */
  end(): void;
}

export interface LiveMeasures {
  opened(): void;
  closed(): void;
  refused(reason: string): void;
}

/**
 * Prometheus metrics of one app instance. Each instance has its own Registry (tests run several
 * in one process); the process metrics (CPU, memory, event loop, GC) belong to the process, so
 * they are collected once into a shared registry and merged in at scrape time.
 */
export interface Metrics {
  registry: Registry;
  plugin: ApolloServerPlugin<RequestContext>;
  /** The same measures for a subscription, which runs outside Apollo (WebSocket). */
  observe(): OperationObserver;
  /** WebSocket connections open now, and those refused (too many from one address, a bad token, a message too large). */
  live: LiveMeasures;
  /** `GET /metrics` in Prometheus' text format. */
  handler: RequestHandler;
  /** Abnormal traffic seen by the abuse limits, by kind (e.g. pickup_code_guessing). */
  securityAlerts: Counter<'alert'>;
}

let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The knex (tarn) pool behind MikroORM: its counters are read at scrape time. */
interface PoolStats {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

function poolOf(orm: Orm): PoolStats | undefined {
  const client = orm.em.getConnection().getKnex().client as { pool?: PoolStats };
  return client.pool;
}

export function createMetrics(orm: Orm): Metrics {
  const registry = new Registry();
  const registers = [registry];

  const requests = new Counter({
    name: 'commerce_graphql_requests_total',
    help: 'GraphQL operations over HTTP and WebSocket, by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'commerce_graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL operation to sending its response.',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const errors = new Counter({
    name: 'commerce_graphql_errors_total',
    help: 'Errors by code: kind "graphql" for GraphQL errors (UNAUTHENTICATED, FORBIDDEN, INTERNAL_SERVER_ERROR…), kind "user" for userErrors in mutation payloads (OUT_OF_STOCK, VERSION_CONFLICT…).',
    labelNames: ['kind', 'code', 'operation'] as const,
    registers,
  });
  const checkouts = new Counter({
    name: 'commerce_checkouts_total',
    help: 'checkoutComplete calls by outcome (completed, or the userError code) and fulfilment method (none when refused).',
    labelNames: ['outcome', 'fulfillment', 'channel'] as const,
    registers,
  });
  const oversell = new Counter({
    name: 'commerce_oversell_refusals_total',
    help: 'Mutations refused because the stock was not there (OUT_OF_STOCK), by mutation.',
    labelNames: ['mutation'] as const,
    registers,
  });
  const securityAlerts = new Counter({
    name: 'commerce_security_alerts_total',
    help: 'Abnormal traffic seen by the abuse limits, by kind: pickup_code_guessing (failed pickup-code lookups past half their limit, or at it).',
    labelNames: ['alert'] as const,
    registers,
  });
  const pool = (name: string, help: string, read: (p: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const stats = poolOf(orm);
        if (stats) this.set(read(stats));
      },
    });
  pool('commerce_db_pool_in_use', 'Database connections checked out of the pool.', (p) => p.numUsed());
  pool('commerce_db_pool_idle', 'Open database connections waiting in the pool.', (p) => p.numFree());
  pool('commerce_db_pool_waiting', 'Queries waiting for a free database connection.', (p) => p.numPendingAcquires());

  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      const stopTimer = duration.startTimer();
      let labels = { operation: 'unknown', type: 'unknown' };
      return {
        async didResolveOperation({ operationName, operation }) {
          labels = { operation: operationLabel(operationName), type: operation?.operation ?? 'unknown' };
        },
        async didEncounterErrors({ errors: found }) {
          for (const error of found) errors.inc({ kind: 'graphql', code: errorCodeLabel(error), operation: labels.operation });
        },
        async executionDidStart({ schema, contextValue, operation }) {
          // Queries and subscriptions carry no payloads: without a hook Apollo calls their resolvers directly.
          if (operation.operation !== 'mutation') return;
          const mutationType = schema.getMutationType();
          return {
            // Only the root fields of a mutation carry payloads with userErrors; every other field passes untouched.
            willResolveField({ info }) {
              if (info.parentType !== mutationType) return;
              const mutation = info.fieldName;
              return (error, result) => {
                const userErrors = (result as { userErrors?: { code: string }[] } | undefined)?.userErrors ?? [];
                for (const { code } of userErrors) {
                  errors.inc({ kind: 'user', code, operation: labels.operation });
                  if (code === 'OUT_OF_STOCK') oversell.inc({ mutation });
                }
                if (mutation === 'checkoutComplete') {
                  const order = (result as { order?: { fulfillmentMethod?: string } } | undefined)?.order;
                  const outcome = error ? 'error' : order ? 'completed' : (userErrors[0]?.code ?? 'unknown');
                  checkouts.inc({ outcome, fulfillment: order?.fulfillmentMethod ?? 'none', channel: contextValue.channel });
                }
              };
            },
          };
        },
        async willSendResponse() {
          requests.inc(labels);
          stopTimer(labels);
        },
      };
    },
  };

  const connections = new Gauge({ name: 'commerce_websocket_connections', help: 'WebSocket connections open on this instance.', registers });
  const refusals = new Counter({
    name: 'commerce_websocket_refusals_total',
    help: 'WebSocket connections refused or closed by the service, by reason (address_limit, authentication, message_too_large, operation_limit, session_ended).',
    labelNames: ['reason'] as const,
    registers,
  });
  const live: LiveMeasures = {
    opened: () => connections.inc(),
    closed: () => connections.dec(),
    refused: (reason) => refusals.inc({ reason }),
  };

  const observe = (): OperationObserver => {
    const stopTimer = duration.startTimer();
    let labels = { operation: 'unknown', type: 'unknown' };
    return {
      resolved(operationName, type) {
        labels = { operation: operationLabel(operationName), type };
      },
      failed(found) {
        for (const error of found) errors.inc({ kind: 'graphql', code: errorCodeLabel(error), operation: labels.operation });
      },
      end() {
        requests.inc(labels);
        stopTimer(labels);
      },
    };
  };

  const handler: RequestHandler = async (_req, res, next) => {
    try {
      const merged = Registry.merge([processMetrics(), registry]);
      res.setHeader('content-type', merged.contentType);
      res.send(await merged.metrics());
    } catch (err) {
      next(err);
    }
  };

  return { registry, plugin, handler, observe, live, securityAlerts };
}
