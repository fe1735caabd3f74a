import { SERVER_URL, createRunDatabase, held, migrateDatabase, serverReachable, startMigratedEmbedded } from './databases';

export default async function setup(): Promise<void> {
  if (await serverReachable(SERVER_URL)) {
    const url = await createRunDatabase(SERVER_URL);
    await migrateDatabase(url);
    held.postgres = { serverRunUrl: url };
    process.env.TEST_POSTGRES_URL = url;
    process.env.TEST_POSTGRES_SERVER = 'true';
    return;
  }
  if (process.env.CI) throw new Error(`No PostgreSQL server at ${SERVER_URL}: CI must test against a real server.`);
  // A fresh machine with no server still runs the whole suite, on a second embedded database.
  console.warn(`\n[tests] No PostgreSQL server at ${SERVER_URL}: the "postgres" project runs on the embedded database.\n`);
  const embedded = await startMigratedEmbedded();
  held.postgres = { embedded };
  process.env.TEST_POSTGRES_URL = embedded.url;
}
