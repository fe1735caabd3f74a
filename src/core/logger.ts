import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogLevel } from './config';

/** The request id travels with the async work of a request, so every log line can carry it. */
export interface RequestScope {
  requestId: string;
  operationName?: string;
  /** SQL statements sent on behalf of this request so far. */
  sqlStatements?: number;
}
export const requestScope = new AsyncLocalStorage<RequestScope>();

export const currentRequestId = (): string | undefined => requestScope.getStore()?.requestId;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Structured JSON lines on stdout: one object per event, machine-readable by any log shipper. */
export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    const requestId = currentRequestId();
    write(`${JSON.stringify({ level: lvl, time: new Date().toISOString(), msg, ...(requestId ? { requestId } : {}), ...fields })}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** Error details for the log only: never sent to clients. */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { error: err.message, errorName: err.name, stack: err.stack };
  return { error: String(err) };
}
