import { held } from './databases';

export default async function teardown(): Promise<void> {
  await held.embedded?.embedded?.close();
}
