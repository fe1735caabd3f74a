import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  url: string;
  close(): Promise<void>;
}

/**
 * Real PostgreSQL in-process (PGlite), served on a loopback socket so the normal PostgreSQL driver
 * talks to it: one driver and one SQL path for embedded and server mode. PGlite is a single
 * session, so the socket server runs each connection's transaction alone — correct, but serial.
 */
export async function startEmbeddedDatabase(dataDir: string, maxConnections = 100): Promise<EmbeddedDatabase> {
  const inMemory = dataDir.startsWith('memory://');
  // PGlite does not create parent directories.
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(inMemory ? 'memory://' : dataDir);
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
