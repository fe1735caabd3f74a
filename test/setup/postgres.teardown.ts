import { SERVER_URL, dropRunDatabase, held } from './databases';

export default async function teardown(): Promise<void> {
  const run = held.postgres;
  if (run?.serverRunUrl) await dropRunDatabase(SERVER_URL, run.serverRunUrl);
  await run?.embedded?.close();
}
