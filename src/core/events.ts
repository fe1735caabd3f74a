import { EventEmitter } from 'node:events';
import Redis from 'ioredis';
import { describeError, type Logger } from './logger';

/**
 * Change notifications for live subscriptions, published after the change is committed. In one
 * process they travel through an EventEmitter; with REDIS_URL through Redis pub/sub, so a POS
 * connected to one instance hears about an order placed on another.
 */
export interface EventBus {
  publish(topic: string, payload: Record<string, unknown>): void;
  subscribe(topic: string): AsyncIterableIterator<Record<string, unknown>>;
  close(): Promise<void>;
}

type Payload = Record<string, unknown>;

/**
 * Listens to one topic as an async iterator. `return()` (the client went away) unhooks the
 * listener at once, even while the consumer is waiting for the next event; an async generator
 * would postpone that until the next event arrived, which for most topics is never.
 */
function listen(emitter: EventEmitter, topic: string, onClose?: () => Promise<void>): AsyncIterableIterator<Payload> {
  const queue: Payload[] = [];
  let waiting: ((result: IteratorResult<Payload>) => void) | undefined;
  let closed = false;
  const listener = (payload: Payload) => {
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value: payload, done: false });
    } else queue.push(payload);
  };
  emitter.on(topic, listener);
  const close = async (): Promise<IteratorResult<Payload>> => {
    if (!closed) {
      closed = true;
      emitter.off(topic, listener);
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
      queue.length = 0;
      await onClose?.();
    }
    return { value: undefined, done: true };
  };
  return {
    next: () => {
      if (queue.length) return Promise.resolve({ value: queue.shift()!, done: false });
      if (closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return: close,
    throw: async (err) => {
      await close();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function newEmitter(): EventEmitter {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return emitter;
}

export function createInProcessBus(): EventBus {
  const emitter = newEmitter();
  return {
    publish: (topic, payload) => void emitter.emit(topic, payload),
    subscribe: (topic) => listen(emitter, topic),
    close: async () => void emitter.removeAllListeners(),
  };
}

const CHANNEL_PREFIX = 'commerce:';

export function createRedisBus(url: string, log: Logger): EventBus {
  const publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(url, { lazyConnect: false });
  for (const client of [publisher, subscriber]) client.on('error', (err) => log.warn('redis error', describeError(err)));
  const local = newEmitter();
  const counts = new Map<string, number>();
  subscriber.on('message', (channel: string, message: string) => {
    try {
      local.emit(channel.slice(CHANNEL_PREFIX.length), JSON.parse(message));
    } catch (err) {
      log.warn('bad event message', describeError(err));
    }
  });
  return {
    publish(topic, payload) {
      publisher.publish(CHANNEL_PREFIX + topic, JSON.stringify(payload)).catch((err) => log.warn('event publish failed', { topic, ...describeError(err) }));
    },
    subscribe(topic) {
      const count = counts.get(topic) ?? 0;
      counts.set(topic, count + 1);
      if (count === 0) subscriber.subscribe(CHANNEL_PREFIX + topic).catch((err) => log.warn('redis subscribe failed', { topic, ...describeError(err) }));
      return listen(local, topic, async () => {
        const left = (counts.get(topic) ?? 1) - 1;
        if (left > 0) return void counts.set(topic, left);
        counts.delete(topic);
        await subscriber.unsubscribe(CHANNEL_PREFIX + topic).catch(() => undefined);
      });
    },
    async close() {
      local.removeAllListeners();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}

export const createEventBus = (redisUrl: string | undefined, log: Logger): EventBus => (redisUrl ? createRedisBus(redisUrl, log) : createInProcessBus());
