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

/**
 * Error details for the log only: never sent to clients. A database error's message carries the
 * SQL with its values inlined (emails, addresses, tokens' hashes) and its detail the offending
 * row: only its SQLSTATE, routine and the names of the objects involved are logged.
 */
export function describeError(err: unknown): Record<string, unknown> {
  if (isDatabaseError(err)) {
    const { code, sqlState, routine, constraint, table, column } = err as unknown as Record<string, unknown>;
    const frames = (err.stack ?? '').split('\n').filter((line) => line.trim().startsWith('at '));
    return { error: 'database error', errorName: err.name, sqlState: sqlState ?? code, routine, constraint, table, column, stack: frames.join('\n') };
  }
  if (err instanceof Error) return { error: err.message, errorName: err.name, stack: err.stack };
  return { error: String(err) };
}

/** An error of PostgreSQL (pg's DatabaseError, as is or wrapped by the ORM): it has a SQLSTATE and the server routine. */
export function isDatabaseError(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const fields = err as unknown as Record<string, unknown>;
  const state = fields.sqlState ?? fields.code;
  return (
    (typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state) && ('routine' in fields || 'severity' in fields)) ||
    (/Exception$/.test(err.name) && 'sqlMessage' in fields)
  );
}
