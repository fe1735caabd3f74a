import type { ApolloServerPlugin } from '@apollo/server';
import type { Registry } from 'prom-client';
import type { Express } from 'express';
import type { Config } from '../config';
import type { RequestContext } from '../context';
import type { Orm } from '../db/orm';
import type { Logger, RequestScope } from '../logger';
import { createMetrics, type LiveMeasures, type OperationObserver } from './metrics';

export type { LiveMeasures, OperationObserver } from './metrics';
import { createTracing } from './tracing';

export interface Observability {
  /** Apollo plugins that measure and trace each GraphQL operation. */
  plugins: ApolloServerPlugin<RequestContext>[];
  /** Measures and traces one operation served outside Apollo (a subscription over WebSocket). */
  observe(scope: RequestScope, attributes: { requestId: string; channel: string }): OperationObserver;
  /** WebSocket connection counts (no-ops when metrics are off). */
  live: LiveMeasures;
  /** Adds `GET /metrics` when metrics are enabled. */
  mount(app: Express): void;
  /** Where other parts of the service register their metrics (absent when metrics are off). */
  registry?: Registry;
  /** Counts an alert raised by the abuse limits (commerce_security_alerts_total). */
  countSecurityAlert(alert: string): void;
  /** Flushes buffered spans; call after the HTTP server has drained. */
  close(): Promise<void>;
}

/** Metrics (METRICS_ENABLED) and tracing (OTEL_EXPORTER_OTLP_*) of one app instance, as configured. */
export function createObservability(config: Config, orm: Orm, log: Logger): Observability {
  const metrics = config.metricsEnabled ? createMetrics(orm) : undefined;
  const tracing = config.tracing ? createTracing(config.tracing, orm) : undefined;
  if (tracing) log.info('tracing enabled', { endpoint: config.tracing!.endpoint, serviceName: config.tracing!.serviceName });
  return {
    plugins: [metrics?.plugin, tracing?.plugin].filter((p) => p !== undefined),
    registry: metrics?.registry,
    observe(scope, attributes) {
      const observers = [metrics?.observe(), tracing?.observe(scope, attributes)].filter((o) => o !== undefined);
      return {
        resolved: (name, type) => observers.forEach((o) => o.resolved(name, type)),
        failed: (errors) => observers.forEach((o) => o.failed(errors)),
        end: () => observers.forEach((o) => o.end()),
      };
    },
    live: metrics?.live ?? { opened: () => undefined, closed: () => undefined, refused: () => undefined },
    mount(app) {
      if (metrics) app.get('/metrics', metrics.handler);
    },
    countSecurityAlert(alert) {
      metrics?.securityAlerts.inc({ alert });
    },
    async close() {
      await tracing?.shutdown();
    },
  };
}
