import { ConfigError, type Config } from '../config';
import type { Orm } from './orm';

/**
 * A production service must not acknowledge an order that a power cut can take back: refuse a
 * PostgreSQL server that does not flush commits to disk. Only for a server: PGlite reports
 * `fsync = off` by design (what the embedded database keeps across a crash is in the README).
 */
export async function assertDurableServer(orm: Orm, config: Config): Promise<void> {
  if (config.nodeEnv !== 'production' || !config.databaseUrl) return;
  const conn = orm.em.fork().getConnection();
  const [{ fsync }] = await conn.execute<{ fsync: string }[]>('show fsync');
  const [{ synchronous_commit: syncCommit }] = await conn.execute<{ synchronous_commit: string }[]>('show synchronous_commit');
  const off = [fsync === 'off' && 'fsync', syncCommit === 'off' && 'synchronous_commit'].filter(Boolean);
  if (off.length) {
    throw new ConfigError('DATABASE_URL', `points to a database with ${off.join(' and ')} off: committed orders could be lost in a crash; NODE_ENV=production refuses it`);
  }
}
