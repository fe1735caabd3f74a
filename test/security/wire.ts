import type { GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import type { TestApp } from '../support/harness';

export interface WireResult {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
}

export interface Closed {
  code: number;
  reason: string;
}

/** One graphql-ws connection, as a client would open it, that reports how the server closed it. */
export interface Wire {
  /** One query or mutation (or the first result of a subscription): its result or the errors it was refused with. */
  run(query: string, variables?: Record<string, unknown>): Promise<WireResult>;
  /** Starts a subscription; events and errors gather in the returned arrays. */
  listen(
    query: string,
    variables?: Record<string, unknown>,
  ): { events: Record<string, unknown>[]; errors: GraphQLFormattedError[]; ended: () => boolean; stop(): void };
  /** How the server closed the connection (fails after `timeoutMs` if it is still open). */
  closed(timeoutMs?: number): Promise<Closed>;
  /** Whether the connection was closed so far. */
  isClosed(): boolean;
  dispose(): Promise<void>;
}

const wires = new Set<Client>();

export async function disposeWires(): Promise<void> {
  const all = [...wires];
  wires.clear();
  await Promise.all(all.map((c) => c.dispose()));
}

export function wire(t: TestApp, options: { token?: string; authorization?: string; headers?: Record<string, string> } = {}): Wire {
  const headers = options.headers ?? {};
  class WithHeaders extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  let closed: Closed | undefined;
  const waiting = new Set<() => void>();
  const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  const client = createClient({
    url: t.url.replace(/^http/, 'ws'),
    webSocketImpl: WithHeaders,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    connectionParams: authorization ? { authorization } : {},
    on: {
      closed: (event) => {
        const e = event as { code: number; reason: string };
        closed = { code: e.code, reason: String(e.reason) };
        for (const wake of [...waiting]) wake();
      },
    },
  });
  wires.add(client);

  const errorsOf = (err: unknown): GraphQLFormattedError[] => {
    if (Array.isArray(err)) return err as GraphQLFormattedError[];
    if (err && typeof err === 'object' && 'code' in err) return [{ message: `closed ${(err as Closed).code} ${(err as Closed).reason}` }];
    return [{ message: err instanceof Error ? err.message : JSON.stringify(err) }];
  };

  return {
    run(query, variables) {
      return new Promise((resolve) => {
        let result: WireResult | undefined;
        client.subscribe(
          { query, variables },
          {
            next: (value) => {
              result ??= value as WireResult;
            },
            error: (err) => resolve({ errors: errorsOf(err) }),
            complete: () => resolve(result ?? {}),
          },
        );
      });
    },
    listen(query, variables) {
      const events: Record<string, unknown>[] = [];
      const errors: GraphQLFormattedError[] = [];
      let ended = false;
      const stop = client.subscribe(
        { query, variables },
        {
          next: (value) => {
            if (value.errors) errors.push(...value.errors);
            if (value.data) events.push(value.data as Record<string, unknown>);
          },
          error: (err) => {
            errors.push(...errorsOf(err));
            ended = true;
          },
          complete: () => {
            ended = true;
          },
        },
      );
      return { events, errors, ended: () => ended, stop };
    },
    closed(timeoutMs = 10_000) {
      if (closed) return Promise.resolve(closed);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(wake);
          reject(new Error(`the connection is still open after ${timeoutMs} ms`));
        }, timeoutMs);
        const wake = () => {
          clearTimeout(timer);
          waiting.delete(wake);
          resolve(closed!);
        };
        waiting.add(wake);
      });
    },
    isClosed: () => closed !== undefined,
    async dispose() {
      wires.delete(client);
      await client.dispose();
    },
  };
}

/** Waits until `condition` holds (polling), or fails after `timeoutMs` with `what`. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Log lines a test app wrote, parsed; every line must be one JSON object. */
export class LogLines {
  readonly raw: string[] = [];
  readonly write = (line: string) => void this.raw.push(line);
  get parsed(): Record<string, unknown>[] {
    return this.raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
  find(match: (entry: Record<string, unknown>) => boolean): Record<string, unknown>[] {
    return this.parsed.filter(match);
  }
}
