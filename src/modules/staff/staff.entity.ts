import { randomUUID } from 'node:crypto';
import { OptionalProps, Check, Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { StaffRole } from '../../core/auth/actor';
import { Location } from '../location/location.entity';

/** A store associate or manager (scoped to one store), or an ADMIN (every store). */
@ObjectType()
@Entity()
@Check({ name: 'staff_store_scope', expression: "(role = 'ADMIN') = (location_id is null)" })
export class Staff {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 254, unique: true })
  email: string;

  @Property({ length: 200, lazy: true })
  passwordHash: string;

  @Field(() => StaffRole)
  @Enum({ items: () => StaffRole, nativeEnumName: 'staff_role' })
  role: StaffRole;

  @ManyToOne(() => Location, { ref: true, nullable: true, index: true })
  location?: Ref<Location>;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
