import { registerEnumType } from 'type-graphql';

/** Where a request comes from; recorded on carts, lines, orders, events and loyalty rows. */
export enum Channel {
  WEB = 'WEB',
  APP = 'APP',
  POS = 'POS',
}
registerEnumType(Channel, { name: 'Channel' });

export const isChannel = (value: string): value is Channel => value in Channel;
