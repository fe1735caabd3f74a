import { ConfigError, type Config } from '../config';
import type { Logger } from '../logger';
import type { Orm } from './orm';

const EMBEDDED_IN_PRODUCTION =
  'embedded database in production: it survives the process being killed, not an operating-system crash or power loss (no fsync); set DATABASE_URL to a PostgreSQL server';

/**
 * A production service must not acknowledge an order that a power cut can take back: refuse a
 * PostgreSQL server that does not flush commits to disk. PGlite — in-process, or reached through
 * a socket URL — reports `fsync = off` by design and is only warned about (what the embedded
 * database keeps across a crash is in the README).
 */
export async function assertDurableServer(orm: Orm, config: Config, log: Logger): Promise<void> {
  if (config.nodeEnv !== 'production') return;
  if (!config.databaseUrl) return void log.warn(EMBEDDED_IN_PRODUCTION);
  const [settings] = await orm.em
    .fork()
    .getConnection()
    .execute<{ fsync: string; synchronous_commit: string; version: string }[]>(
      "select current_setting('fsync') fsync, current_setting('synchronous_commit') synchronous_commit, version() version",
    );
  if (settings.version.includes('PGlite')) return void log.warn(EMBEDDED_IN_PRODUCTION);
  const off = (['fsync', 'synchronous_commit'] as const).filter((name) => settings[name] === 'off');
  if (off.length) {
    throw new ConfigError(
      'DATABASE_URL',
      `points to a database with ${off.join(' and ')} off: committed orders could be lost in a crash; NODE_ENV=production refuses it`,
    );
  }
}
