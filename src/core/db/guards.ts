import { ConfigError, type Config } from '../config';
import type { Logger } from '../logger';
import type { Orm } from './orm';

/**
 * A production service must not acknowledge an order that a power cut can take back: refuse a
 * PostgreSQL server that does not flush commits to disk. Only for a server: PGlite reports
 * `fsync = off` by design (what the embedded database keeps across a crash is in the README).
 */
export async function assertDurableServer(orm: Orm, config: Config, log: Logger): Promise<void> {
  if (config.nodeEnv !== 'production') return;
  if (!config.databaseUrl) {
    log.warn('embedded database in production: it survives the process being killed, not an operating-system crash or power loss (no fsync); set DATABASE_URL');
    return;
  }
  const conn = orm.em.fork().getConnection();
  const [{ fsync }] = await conn.execute<{ fsync: string }[]>('show fsync');
  const [{ synchronous_commit: syncCommit }] = await conn.execute<{ synchronous_commit: string }[]>('show synchronous_commit');
  const off = [fsync === 'off' && 'fsync', syncCommit === 'off' && 'synchronous_commit'].filter(Boolean);
  if (off.length) {
    throw new ConfigError('DATABASE_URL', `points to a database with ${off.join(' and ')} off: committed orders could be lost in a crash; NODE_ENV=production refuses it`);
  }
}
