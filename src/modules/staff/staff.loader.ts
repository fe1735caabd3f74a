import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../core/loader';
import { Staff } from './staff.entity';

export const createStaffLoaders = (em: EntityManager) => ({
  staffById: byIdLoader(em, Staff),
});
