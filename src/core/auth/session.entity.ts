import { randomUUID } from 'node:crypto';
import { OptionalProps, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Channel } from '../channel';

export enum SessionSubject {
  CUSTOMER = 'CUSTOMER',
  STAFF = 'STAFF',
}

/** A signed-in device. Only the token's SHA-256 is stored: a database leak yields no usable token. */
@Entity()
@Index({ properties: ['subjectKind', 'subjectId'] })
export class Session {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ length: 64, unique: true })
  tokenHash: string;

  @Enum({ items: () => SessionSubject, nativeEnumName: 'session_subject' })
  subjectKind: SessionSubject;

  @Property({ type: 'uuid' })
  subjectId: string;

  @Enum({ items: () => Channel, nativeEnumName: 'channel' })
  channel: Channel;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date;
}
