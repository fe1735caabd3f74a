import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';

/** Counts every SQL statement the ORM sends: the benchmark and the batching tests read it. */
export class SqlStats {
  statements = 0;
  private listeners = new Set<(sql: string) => void>();

  record(sql: string): void {
    this.statements += 1;
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
  constructor(options: LoggerOptions, private readonly stats: SqlStats) {
    super(options);
  }

  override logQuery(context: { query: string } & LogContext): void {
    this.stats.record(context.query);
    super.logQuery(context);
  }
}
