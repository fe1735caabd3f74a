import { randomUUID } from 'node:crypto';
import { OptionalProps, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/** One customer on every channel: web, app and the store's POS see the same account. */
@ObjectType()
@Entity()
export class Customer {
  [OptionalProps]?: 'createdAt' | 'language';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-case; unique. */
  @Field()
  @Property({ length: 254, unique: true })
  email: string;

  @Property({ length: 200, lazy: true })
  passwordHash: string;

  @Field(() => String, { nullable: true })
  @Property({ length: 200, nullable: true })
  name?: string;

  /** Language of the messages sent to the customer (en, it, ca, pl); DEFAULT_LANGUAGE at sign-up. */
  @Property({ length: 5, default: 'en' })
  language: string = 'en';

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
