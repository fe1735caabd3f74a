import type { ApolloServerPlugin } from '@apollo/server';
import type { Registry } from 'prom-client';
import type { Express } from 'express';
import type { Config } from '../config';
import type { RequestContext } from '../context';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import { createMetrics } from './metrics';
import { createTracing } from './tracing';

export interface Observability {
  /** Apollo plugins that measure and trace each GraphQL operation. */
  plugins: ApolloServerPlugin<RequestContext>[];
  /** Adds `GET /metrics` when metrics are enabled. */
  mount(app: Express): void;
  /** Where other parts of the service register their metrics (absent when metrics are off). */
  registry?: Registry;
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
    mount(app) {
      if (metrics) app.get('/metrics', metrics.handler);
    },
    async close() {
      await tracing?.shutdown();
    },
  };
}
