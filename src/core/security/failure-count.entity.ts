import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Failures counted per key (a staff member's or a store's failed pickup-code lookups) over a
 * fixed window: the shared count when there is no Redis, so that every instance sees it.
 * One row per key, rewritten in place: the table stays as small as the number of keys.
 */
@Entity()
export class FailureCount {
  @PrimaryKey({ length: 200 })
  key: string;

  @Property()
  count: number;

  @Property({ type: 'timestamptz' })
  windowEndsAt: Date;
}
