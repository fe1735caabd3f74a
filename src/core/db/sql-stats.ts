import type { ApolloServerPlugin } from '@apollo/server';
import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';
import { requestScope } from '../logger';

/** Counts every SQL statement the ORM sends: the benchmark and the batching tests read it. */
export class SqlStats {
  statements = 0;
  private listeners = new Set<(sql: string) => void>();

  record(sql: string): void {
    this.statements += 1;
    // Also per request, so a response can report its own count while others run alongside.
    const scope = requestScope.getStore();
    if (scope) scope.sqlStatements = (scope.sqlStatements ?? 0) + 1;
    for (const listener of this.listeners) listener(sql);
  }

  /** Runs `fn` and returns the statements sent while it ran (meaningful when nothing else runs). */
  async capture<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    const statements: string[] = [];
    const listener = (sql: string) => statements.push(sql);
    this.listeners.add(listener);
    try {
      return { result: await fn(), statements };
    } finally {
      this.listeners.delete(listener);
    }
  }
}

export class CountingLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    private readonly stats: SqlStats,
  ) {
    super(options);
  }

  override logQuery(context: { query: string } & LogContext): void {
    this.stats.record(context.query);
    super.logQuery(context);
  }
}

/**
 * `x-sql-statements: <n>` on every GraphQL response (SQL_STATS_HEADER=true): the benchmark counts
 * statements per operation under concurrent load with it. Off by default, because it tells any
 * caller how much database work a query costs.
 */
export const sqlStatsHeaderPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('x-sql-statements', String(requestScope.getStore()?.sqlStatements ?? 0));
      },
    };
  },
};
