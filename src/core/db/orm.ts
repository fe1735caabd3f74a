import { MikroORM, type EntityClass, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { ClientBase } from 'pg';
import { migrationsList } from '../../../migrations';
import { CountingLogger, SqlStats } from './sql-stats';

export type Orm = MikroORM<PostgreSqlDriver>;

export interface OrmOptions {
  url: string;
  entities: EntityClass<unknown>[];
  poolMax: number;
  stats?: SqlStats;
  /** Log every statement through the ORM's logger (development aid). */
  debugSql?: boolean;
  /** Server-side limits set on every connection at connect time (0 or absent: the server's default). */
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  /** Run on each new pooled connection before its first use (the driver's pg client). */
  onConnection?: (connection: ClientBase) => Promise<void>;
}

export function ormConfig({
  url,
  entities,
  poolMax,
  stats = new SqlStats(),
  debugSql = false,
  statementTimeoutMs,
  idleInTransactionTimeoutMs,
  onConnection,
}: OrmOptions): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities,
    // Entities are listed explicitly: no folder scanning, so tsc output and jest (swc) behave alike.
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    pool: {
      min: 0,
      max: poolMax,
      ...(onConnection && {
        afterCreate: (connection: ClientBase, done: (err: unknown, connection: ClientBase) => void) =>
          onConnection(connection).then(
            () => done(null, connection),
            (err: unknown) => done(err, connection),
          ),
      }),
    },
    // Sent in each connection's startup packet, so every pooled connection has them before its
    // first statement: a runaway query or a transaction left open cannot hold locks for ever.
    driverOptions: {
      connection: { statement_timeout: statementTimeoutMs || undefined, idle_in_transaction_session_timeout: idleInTransactionTimeoutMs || undefined },
    },
    forceUtcTimezone: true,
    // Every request works on its own fork; using the global EntityManager is a bug.
    allowGlobalContext: false,
    debug: debugSql ? ['query', 'query-params'] : false,
    loggerFactory: (options) => new CountingLogger(options, stats),
    extensions: [Migrator],
    migrations: {
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
  };
}

export async function initOrm(options: OrmOptions): Promise<Orm> {
  return MikroORM.init<PostgreSqlDriver>(ormConfig(options));
}

/** Applies pending migrations; the database is built from empty by migrations alone. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
