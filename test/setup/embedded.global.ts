import { held, startMigratedEmbedded } from './databases';

export default async function setup(): Promise<void> {
  const embedded = await startMigratedEmbedded();
  held.embedded = { embedded };
  process.env.TEST_EMBEDDED_URL = embedded.url;
}
