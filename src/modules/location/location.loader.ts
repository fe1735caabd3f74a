import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../core/loader';
import { Location } from './location.entity';

export const createLocationLoaders = (em: EntityManager) => ({
  locationById: byIdLoader(em, Location),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createLocationLoaders> {}
}
