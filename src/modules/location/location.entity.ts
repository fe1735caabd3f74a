import { randomUUID } from 'node:crypto';
import { OptionalProps, Check, Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum LocationKind {
  STORE = 'STORE',
  WAREHOUSE = 'WAREHOUSE',
}
registerEnumType(LocationKind, { name: 'LocationKind' });

/** A store or a warehouse; stores are stock locations too. */
@ObjectType()
@Entity()
@Check({ name: 'location_pickup_only_in_stores', expression: "kind = 'STORE' or not pickup_enabled" })
export class Location {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 32, unique: true })
  code: string;

  @Field()
  @Property({ length: 200 })
  name: string;

  @Field(() => LocationKind)
  @Enum({ items: () => LocationKind, nativeEnumName: 'location_kind' })
  kind: LocationKind;

  @Field()
  @Property()
  pickupEnabled: boolean;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
