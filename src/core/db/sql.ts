import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The small toolkit under every hand-written statement. Hand-written SQL lives only in a
 * module's `<module>.sql.ts`, as named functions with typed rows; services call those functions
 * and never hold SQL text. Statements use `?` placeholders (MikroORM's), built here.
 */

/** `?, ?, ?` for `n` parameters, e.g. the inside of `in (…)`. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** `column in (?, ?)`, or nothing when there are no values (an empty `in ()` is a syntax error). */
export const inList = (column: string, values: unknown[]): string[] => (values.length ? [`${column} in (${placeholders(values.length)})`] : []);

/**
 * A `values` list of typed tuples and its parameters, e.g. `values(rows, ['uuid', 'int'], (r) => [r.id, r.n])`
 * gives `(?::uuid, ?::int), (?::uuid, ?::int)` and the flattened parameters.
 */
export function values<T>(rows: T[], types: string[], toParams: (row: T) => unknown[]): { sql: string; params: unknown[] } {
  const tuple = `(${types.map((type) => `?::${type}`).join(', ')})`;
  return { sql: rows.map(() => tuple).join(', '), params: rows.flatMap(toParams) };
}

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
/** A row's keys from snake_case (PostgreSQL) to camelCase (TypeScript). */
export type Camel<T> = { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] };

const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Maps rows' snake_case columns to camelCase keys, values unchanged. */
export function camelRows<T extends object>(rows: T[]): Camel<T>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [camel(key), value])) as Camel<T>);
}

/** Runs one statement on `em`'s connection (inside its transaction, if any) and returns its rows. */
export function query<Row extends object>(em: EntityManager, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  return em.execute<Row[]>(sql, [...params]);
}

type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Uppercase<Head> ? (Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`) : Head}${SnakeCase<Tail>}`
  : S;
/** An object's keys from camelCase to snake_case, as PostgreSQL names the columns. */
export type Snake<T> = { [K in keyof T as K extends string ? SnakeCase<K> : K]: T[K] };

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** One row's camelCase keys to snake_case columns, values unchanged (e.g. before an INSERT). */
export function snakeRow<T extends object>(row: T): Snake<T> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [snake(key), value])) as Snake<T>;
}
