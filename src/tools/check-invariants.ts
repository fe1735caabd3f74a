// `npm run check:invariants`: checks the invariants of src/core/db/invariants.ts against the
// database the service would use (DATABASE_URL, else the embedded one in DATA_DIR), prints each
// violation and exits 1 if there is any. The embedded database is opened directly: stop the
// service first — PGlite takes no lock, and two processes on one data directory corrupt it.
// The configuration reads password rules whose error types carry GraphQL decorators.
import 'reflect-metadata';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { ConfigError, loadConfig } from '../core/config';
import { INVARIANTS, invariantViolations, type RunSql } from '../core/db/invariants';

async function open(): Promise<{ where: string; run: RunSql; close(): Promise<void> }> {
  const config = loadConfig();
  if (config.databaseUrl) {
    const client = new Client({ connectionString: config.databaseUrl });
    await client.connect();
    // Read-only and in one snapshot, so a live server's writes cannot show up as violations.
    await client.query('begin isolation level repeatable read read only');
    const url = new URL(config.databaseUrl);
    return { where: `${url.host}${url.pathname}`, run: async (sql) => (await client.query(sql)).rows, close: () => client.end() };
  }
  if (config.dataDir.startsWith('memory://')) throw new ConfigError('DATA_DIR', 'is memory://: there is no database to check');
  const db = await PGlite.create(config.dataDir);
  return { where: `embedded ${config.dataDir}`, run: async (sql) => (await db.query<Record<string, unknown>>(sql)).rows, close: () => db.close() };
}

async function main(): Promise<number> {
  const db = await open();
  try {
    const violations = await invariantViolations(db.run);
    if (!violations.length) {
      process.stdout.write(`${db.where}: all ${INVARIANTS.length} invariants hold\n`);
      return 0;
    }
    process.stdout.write(`${db.where}: ${violations.length} of ${INVARIANTS.length} invariants violated\n${violations.map((v) => `  - ${v}\n`).join('')}`);
    return 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof ConfigError ? 78 : 2);
  },
);
