import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  url: string;
  close(): Promise<void>;
}

/**
 * Memory: PGlite's default shared_buffers is 128 MB, sized for a server; the embedded database is
 * for development, demos and tests, whose data fits in far less, and its pages stay in the
 * operating system's file cache (or in memory for memory://) anyway. 16 MB took the resident size
 * of a started service on an existing data directory from 377 MB to 249–271 MB (docs/CONFIGURATION.md).
 * Durability settings are PGlite's own and untouched: no relaxedDurability.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * Real PostgreSQL in-process (PGlite), served on a loopback socket so the normal PostgreSQL driver
 * talks to it: one driver and one SQL path for embedded and server mode. PGlite is a single
 * session, so the socket server runs each connection's transaction alone — correct, but serial.
 */
export async function startEmbeddedDatabase(dataDir: string, maxConnections = 100): Promise<EmbeddedDatabase> {
  const db = await openDatabase(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * Creating a database runs initdb in a second WebAssembly instance whose memory (some 400 MB)
 * stays reachable from the instance that created it. So a new data directory is closed and opened
 * again at once: under a second more on the first start only. (memory:// cannot be reopened; an
 * image of it through dumpDataDir/loadDataDir made no steady difference.)
 */
async function openDatabase(dataDir: string): Promise<PGlite> {
  const options: PGliteOptions = { startParams: START_PARAMS };
  if (dataDir.startsWith('memory://')) return PGlite.create('memory://', options);
  if (existsSync(join(dataDir, 'PG_VERSION'))) return PGlite.create(dataDir, options);
  // PGlite does not create parent directories.
  mkdirSync(dataDir, { recursive: true });
  await (await PGlite.create(dataDir, options)).close();
  return PGlite.create(dataDir, options);
}
