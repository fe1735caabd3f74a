import { randomUUID } from 'node:crypto';
import { OptionalProps, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Address } from '../../core/address';
import { Channel } from '../../core/channel';
import { Location } from '../location/location.entity';

/** One customer on every channel: web, app and the store's POS see the same account. */
@ObjectType()
@Entity()
export class Customer {
  [OptionalProps]?: 'createdAt' | 'language';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-case; unique. An erased customer's is a placeholder nobody can sign in with. */
  @Field()
  @Property({ length: 254, unique: true })
  email: string;

  @Property({ length: 200, lazy: true })
  passwordHash: string;

  @Field(() => String, { nullable: true })
  @Property({ length: 200, nullable: true })
  name?: string;

  /** Language of the messages sent to the customer (en, it, ca, pl); DEFAULT_LANGUAGE at sign-up. */
  @Field({ description: 'en, it, ca, pl, ...: the language of every message sent to this customer.' })
  @Property({ length: 5, default: 'en' })
  language: string = 'en';

  /** E.164 (+ and digits), so the till finds the customer however the number was typed. */
  @Field(() => String, { nullable: true })
  @Property({ length: 16, nullable: true, index: true })
  phone?: string;

  /** Digits with a Luhn check digit (a mistyped number is refused, not mistaken for another). */
  @Field({ description: 'Printed on the loyalty card and shown as a barcode in the app; the till scans it.' })
  @Property({ length: 20, unique: true })
  loyaltyNumber: string;

  @ManyToOne(() => Location, { ref: true, nullable: true, index: false, deleteRule: 'set null' })
  preferredLocation?: Ref<Location>;

  /** Set when the customer erased their personal data: the row stays for the orders and the books. */
  @Property({ type: 'timestamptz', nullable: true })
  erasedAt?: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** Sizes, fit, favourite colours: one row per key, recorded on any channel. */
@ObjectType('Preference')
@Entity()
@Unique({ properties: ['customer', 'key'] })
export class CustomerPreference {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { ref: true, index: false })
  customer: Ref<Customer>;

  @Field()
  @Property({ length: 64 })
  key: string;

  @Field()
  @Property({ length: 500 })
  value: string;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

/** An address of the customer's address book; at most one is the default. */
@ObjectType()
@Entity()
@Index({ properties: ['customer', 'createdAt'] })
@Index({
  name: 'saved_address_one_default',
  expression: 'create unique index "saved_address_one_default" on "saved_address" ("customer_id") where "is_default"',
})
export class SavedAddress {
  [OptionalProps]?: 'createdAt' | 'isDefault';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { ref: true, index: false })
  customer: Ref<Customer>;

  @Field(() => Address)
  @Property({ type: 'jsonb' })
  address: Address;

  @Field()
  @Property()
  isDefault: boolean = false;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

export enum ConsentPurpose {
  EMAIL_MARKETING = 'EMAIL_MARKETING',
  SMS_MARKETING = 'SMS_MARKETING',
  PERSONALIZATION = 'PERSONALIZATION',
}
registerEnumType(ConsentPurpose, { name: 'ConsentPurpose' });

/**
 * Every yes and no the customer said, append-only: the history is the evidence of consent; the
 * latest row per purpose is the current state. No row means no consent, except PERSONALIZATION,
 * which is on until withdrawn (recommendations are part of the service the customer signed up for).
 */
@Entity()
@Index({ properties: ['customer', 'purpose', 'createdAt'] })
export class ConsentRecord {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { ref: true, index: false })
  customer: Ref<Customer>;

  @Enum({ items: () => ConsentPurpose, nativeEnumName: 'consent_purpose' })
  purpose: ConsentPurpose;

  @Property()
  granted: boolean;

  @Enum({ items: () => Channel, nativeEnumName: 'channel' })
  channel: Channel;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A password reset link: only the token's SHA-256 is stored; used once, then dead. */
@Entity()
@Index({ properties: ['customer'] })
export class PasswordResetToken {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { ref: true, index: false })
  customer: Ref<Customer>;

  @Property({ length: 64, unique: true })
  tokenHash: string;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A staff member read a customer's profile (who, when, which customer, through what): for an ADMIN to audit. */
@ObjectType('CustomerAccess')
@Entity()
@Index({ properties: ['customer', 'at'] })
@Index({ properties: ['staffId', 'at'] })
export class CustomerAccess {
  [OptionalProps]?: 'at';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { ref: true, index: false })
  customer: Ref<Customer>;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  staffId: string;

  @Field({ description: 'customerLookup or customerByEmail.' })
  @Property({ length: 40 })
  via: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  at: Date = new Date();
}
