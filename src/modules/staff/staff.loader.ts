import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../core/loader';
import { Staff } from './staff.entity';

export const createStaffLoaders = (em: EntityManager) => ({
  staffById: byIdLoader(em, Staff),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createStaffLoaders> {}
}
