import type { Migration } from '@mikro-orm/migrations';
import { Client } from 'pg';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/core/db/embedded';
import { migrationsList } from '../../migrations';

/** Where the suite finds a PostgreSQL server: DATABASE_URL, else the local default. */
export const SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * Builds the schema by running the committed migrations' SQL, in order, in one transaction.
 * globalSetup shares its process with in-band test files, so it must not start the ORM here:
 * the ORM keeps entity metadata in process globals, which would then clash with the entity
 * classes the tests load in their own realm (mikro-orm issue #3783). The ORM's own migrator is
 * exercised by the built-service tests and the migration drift check.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    for (const { class: MigrationClass } of migrationsList) {
      const migration = new (MigrationClass as unknown as new (...args: unknown[]) => Migration)(undefined, undefined);
      await migration.up();
      for (const sql of migration.getQueries()) await client.query(String(sql));
    }
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    throw err;
  } finally {
    await client.end();
  }
}

export async function serverReachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether a test that needs the PostgreSQL server can run: without one it is skipped with a
 * warning naming `what`, except under CI, which must run it and fails.
 */
export async function serverOrSkip(what: string): Promise<boolean> {
  if (await serverReachable(SERVER_URL)) return true;
  if (process.env.CI) throw new Error(`No PostgreSQL server at ${SERVER_URL}: CI must run ${what}.`);
  console.warn(`[tests] No PostgreSQL server at ${SERVER_URL}: ${what} skipped.`);
  return false;
}

const TEST_DB_PREFIX = 'commerce_test_';

/** A fresh database on the server for this run; stale ones from killed runs (over an hour old) are dropped. */
export async function createRunDatabase(serverUrl: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname like '${TEST_DB_PREFIX}%'`);
    const hourAgo = Date.now() - 3600_000;
    for (const { datname } of rows) {
      const stamp = Number(datname.slice(TEST_DB_PREFIX.length).split('_')[0]);
      if (stamp < hourAgo) await client.query(`drop database if exists "${datname}" with (force)`);
    }
    const name = `${TEST_DB_PREFIX}${Date.now()}_${process.pid}`;
    await client.query(`create database "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  } finally {
    await client.end();
  }
}

export async function dropRunDatabase(serverUrl: string, runUrl: string): Promise<void> {
  const name = new URL(runUrl).pathname.slice(1);
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

export async function startMigratedEmbedded(): Promise<EmbeddedDatabase> {
  const db = await startEmbeddedDatabase('memory://');
  await migrateDatabase(db.url);
  return db;
}

type Held = { embedded?: EmbeddedDatabase; serverRunUrl?: string };
/** globalSetup and globalTeardown run in the same process: what one starts, the other stops. */
export const held = ((globalThis as { __commerceTestDatabases?: Record<string, Held> }).__commerceTestDatabases ??= {});
