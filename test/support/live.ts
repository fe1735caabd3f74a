import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import type { TestApp } from './harness';

/** How long any wait on a subscription lasts before it fails with what did arrive. */
export const LIVE_WAIT_MS = 10_000;

/** One subscription over WebSocket, on its own graphql-ws connection: what it delivered, in order. */
export interface Live<R> {
  /** The next `count` events not taken yet; fails if the subscription ends first. */
  take(count?: number): Promise<R[]>;
  /** The first event delivered so far or later that matches (taken or not); fails on any error. */
  next(match: (event: R) => boolean): Promise<R>;
  /** The error codes the subscription was refused or ended with. */
  rejection(): Promise<(string | undefined)[]>;
  /** Whatever comes first: an event, errors, or the end without either. */
  first(): Promise<{ event?: R; errors: GraphQLFormattedError[] }>;
  /** Closes the connection. */
  close(): Promise<void>;
}

const open = new Set<Client>();

/** Closes every connection opened by `subscribe` and not closed yet. */
export async function closeSubscriptions(): Promise<void> {
  const clients = [...open];
  open.clear();
  await Promise.all(clients.map((c) => c.dispose()));
}

/**
 * Subscribes to `document` on `app` over graphql-ws, as a client would (the token in the
 * connection parameters, no retries). A refusal arrives either as a result with errors or as an
 * error message (validation): both end up in the errors.
 */
export function subscribe<R, V extends Record<string, unknown>>(
  app: TestApp,
  document: TypedDocumentNode<R, V>,
  variables: V,
  options?: { token?: string },
): Live<R>;
export function subscribe(app: TestApp, document: string, variables?: Record<string, unknown>, options?: { token?: string }): Live<Record<string, unknown>>;
export function subscribe<R>(
  app: TestApp,
  document: TypedDocumentNode<R> | string,
  variables: Record<string, unknown> = {},
  options: { token?: string } = {},
): Live<R> {
  const client = createClient({
    url: app.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
    retryAttempts: 0,
  });
  open.add(client);
  const received: R[] = [];
  const errors: GraphQLFormattedError[] = [];
  let ended = false;
  let wake = () => {};
  client.subscribe<R>(
    { query: typeof document === 'string' ? document : print(document), variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) received.push(result.data);
        wake();
      },
      error: (err) => {
        if (Array.isArray(err)) errors.push(...(err as GraphQLFormattedError[]));
        else errors.push({ message: err instanceof Error ? err.message : JSON.stringify(err) });
        ended = true;
        wake();
      },
      complete: () => {
        ended = true;
        wake();
      },
    },
  );

  const until = async (done: () => boolean, what: string) => {
    const deadline = Date.now() + LIVE_WAIT_MS;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${LIVE_WAIT_MS} ms; received ${JSON.stringify(received)}, errors ${JSON.stringify(errors)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  let taken = 0;
  return {
    async take(count = 1) {
      await until(() => received.length >= taken + count || errors.length > 0 || ended, `${count} event(s)`);
      if (received.length < taken + count) throw new Error(`the subscription ended early: ${JSON.stringify(errors)}`);
      taken += count;
      return received.slice(taken - count, taken);
    },
    async next(match) {
      let found: R | undefined;
      await until(() => (found = received.find(match)) !== undefined || errors.length > 0, 'matching event');
      if (found === undefined) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
      return found;
    },
    async rejection() {
      await until(() => errors.length > 0 || ended, 'error');
      return errors.map((e) => e.extensions?.code as string | undefined);
    },
    async first() {
      await until(() => received.length > 0 || errors.length > 0 || ended, 'event, error or end');
      return { event: received[0], errors: [...errors] };
    },
    async close() {
      open.delete(client);
      await client.dispose();
    },
  };
}
