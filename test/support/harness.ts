import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createApp, type App, type AppOptions } from '../../src/app';
import { TEST_LIMITS } from './limits';
import { loadConfig, type Config } from '../../src/core/config';

export type ChannelName = 'WEB' | 'APP' | 'POS';

export interface RequestOptions {
  token?: string;
  channel?: ChannelName;
  headers?: Record<string, string>;
}

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GqlResponse<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLErrorShape[];
}

/**
 * The service started in this test process on the suite's database (a PostgreSQL server or the
 * embedded one, per jest project), listening on a free loopback port. Tests talk to it over
 * real HTTP with the typed documents that codegen makes from test/operations.
 */
export class TestApp {
  private constructor(
    readonly app: App,
    readonly config: Config,
    readonly url: string,
  ) {}

  /** `options.logger` captures the service's log lines (they are silent otherwise). */
  static async start(env: Record<string, string> = {}, options: Pick<AppOptions, 'logger'> = {}): Promise<TestApp> {
    const databaseUrl = process.env.TEST_DATABASE_URL;
    if (!databaseUrl) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (see jest.config.js).');
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      SEED_DEMO_DATA: 'false',
      JOBS_ENABLED: 'false',
      ...TEST_LIMITS,
      ...env,
    });
    // The suite's database is migrated once per run; the first admin and demo data are not wanted here.
    const app = await createApp(config, { migrate: false, bootstrap: false, ...options });
    return new TestApp(app, config, await app.listen(0));
  }

  get stats() {
    return this.app.stats;
  }

  async post(body: unknown, options: RequestOptions = {}): Promise<Response> {
    return fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.channel ? { 'x-channel': options.channel } : {}),
        ...options.headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** Sends a typed operation; returns the whole response (data and errors) for the test to inspect. */
  async gql<R, V>(document: TypedDocumentNode<R, V>, variables?: V, options?: RequestOptions): Promise<GqlResponse<R>> {
    const res = await this.post({ query: print(document), variables }, options);
    const body = (await res.json()) as { data?: R | null; errors?: GraphQLErrorShape[] };
    return { status: res.status, ...body };
  }

  /** Sends a typed operation that must succeed without GraphQL errors, and returns its data. */
  async data<R, V>(document: TypedDocumentNode<R, V>, variables?: V, options?: RequestOptions): Promise<R> {
    const res = await this.gql(document, variables, options);
    if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return res.data;
  }

  /** The SQL statements one operation sends (nothing else may run meanwhile). */
  async statementsOf<R, V>(document: TypedDocumentNode<R, V>, variables?: V, options?: RequestOptions): Promise<{ data: R; statements: string[] }> {
    const { result, statements } = await this.statementsDuring(() => this.data(document, variables, options));
    return { data: result, statements };
  }

  /** The SQL statements a sequence of requests sends, e.g. a whole journey (nothing else may run meanwhile). */
  statementsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    return this.stats.capture(fn);
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

/** The error codes of a response, for compact assertions. */
export const errorCodes = (res: GqlResponse<unknown>): (string | undefined)[] => (res.errors ?? []).map((e) => e.extensions?.code);

let counter = 0;
/** A value unique across the run: tests share one database and must not collide. */
export const unique = (prefix: string): string => `${prefix}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`.toUpperCase();
