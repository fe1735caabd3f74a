import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../core/loader';
import { Location } from './location.entity';

export const createLocationLoaders = (em: EntityManager) => ({
  locationById: byIdLoader(em, Location),
});
