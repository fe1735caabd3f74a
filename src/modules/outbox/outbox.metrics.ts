import { Counter, Gauge, type Registry } from 'prom-client';
import type { Orm } from '../../core/db/orm';
import type { WorkQueue } from './outbox.queue';
import { backlog } from './outbox.sql';

export interface OutboxMetrics {
  eventsDispatched: Counter;
  attempts: Counter<'queue' | 'outcome'>;
  outcomes: Counter<'queue' | 'outcome'>;
}

/**
 * The outbox in Prometheus: what waits (read from the database at scrape time, so every instance
 * reports the same shared backlog) and what this instance did.
 */
export function createOutboxMetrics(registry: Registry, orm: Orm, queues: WorkQueue[]): OutboxMetrics {
  const registers = [registry];
  let reading: Promise<{ name: string; pending: number; oldestSeconds: number }[]> | undefined;
  // One query serves both gauges of a scrape.
  const read = () => {
    reading ??= backlog(orm.em.fork(), queues).finally(() => setTimeout(() => (reading = undefined), 100).unref());
    return reading;
  };
  new Gauge({
    name: 'commerce_outbox_backlog',
    help: 'Rows waiting: events not yet fanned out (queue "event"), and pending webhook deliveries, messages and payment calls.',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      for (const row of await read()) this.set({ queue: row.name }, row.pending);
    },
  });
  new Gauge({
    name: 'commerce_outbox_oldest_pending_seconds',
    help: 'Age of the oldest waiting row, by queue (0 when none waits).',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      for (const row of await read()) this.set({ queue: row.name }, row.oldestSeconds);
    },
  });
  return {
    eventsDispatched: new Counter({ name: 'commerce_outbox_events_dispatched_total', help: 'Events fanned out by this instance.', registers }),
    attempts: new Counter({
      name: 'commerce_outbox_attempts_total',
      help: 'Calls made by this instance, by queue (webhook, email, sms, payment) and outcome (done, retry, failed).',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
    outcomes: new Counter({
      name: 'commerce_outbox_outcomes_total',
      help: 'Final outcomes by queue: delivered / sent / done, or failed after the last attempt. Messages recorded as skipped count here too.',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
  };
}
