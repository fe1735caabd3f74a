import { EventEmitter, on } from 'node:events';
import Redis from 'ioredis';
import { describeError, type Logger } from './logger';

/**
 * Change notifications for live subscriptions, published after the change is committed. In one
 * process they travel through an EventEmitter; with REDIS_URL through Redis pub/sub, so a POS
 * connected to one instance hears about an order placed on another.
 */
export interface EventBus {
  publish(topic: string, payload: Record<string, unknown>): void;
  subscribe(topic: string, signal?: AbortSignal): AsyncIterableIterator<Record<string, unknown>>;
  close(): Promise<void>;
}

function localDelivery() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    emitter,
    async *subscribe(topic: string, signal?: AbortSignal): AsyncIterableIterator<Record<string, unknown>> {
      try {
        for await (const [payload] of on(emitter, topic, { signal })) yield payload as Record<string, unknown>;
      } catch (err) {
        if ((err as Error).name !== 'AbortError') throw err;
      }
    },
  };
}

export function createInProcessBus(): EventBus {
  const local = localDelivery();
  return {
    publish: (topic, payload) => void local.emitter.emit(topic, payload),
    subscribe: (topic, signal) => local.subscribe(topic, signal),
    close: async () => void local.emitter.removeAllListeners(),
  };
}

const CHANNEL_PREFIX = 'commerce:';

export function createRedisBus(url: string, log: Logger): EventBus {
  const publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(url, { lazyConnect: false });
  for (const client of [publisher, subscriber]) client.on('error', (err) => log.warn('redis error', describeError(err)));
  const local = localDelivery();
  const counts = new Map<string, number>();
  subscriber.on('message', (channel: string, message: string) => {
    try {
      local.emitter.emit(channel.slice(CHANNEL_PREFIX.length), JSON.parse(message));
    } catch (err) {
      log.warn('bad event message', describeError(err));
    }
  });
  return {
    publish(topic, payload) {
      publisher.publish(CHANNEL_PREFIX + topic, JSON.stringify(payload)).catch((err) => log.warn('event publish failed', { topic, ...describeError(err) }));
    },
    async *subscribe(topic, signal) {
      const count = counts.get(topic) ?? 0;
      counts.set(topic, count + 1);
      if (count === 0) await subscriber.subscribe(CHANNEL_PREFIX + topic);
      try {
        yield* local.subscribe(topic, signal);
      } finally {
        const left = (counts.get(topic) ?? 1) - 1;
        if (left === 0) {
          counts.delete(topic);
          await subscriber.unsubscribe(CHANNEL_PREFIX + topic).catch(() => undefined);
        } else counts.set(topic, left);
      }
    },
    async close() {
      local.emitter.removeAllListeners();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}

export const createEventBus = (redisUrl: string | undefined, log: Logger): EventBus =>
  redisUrl ? createRedisBus(redisUrl, log) : createInProcessBus();
