import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: "Amounts are integers in the currency's minor unit (cents)." })
export class Money {
  @Field(() => Int)
  amount: number;

  @Field()
  currencyCode: string;

  constructor(amount: number, currencyCode: string) {
    this.amount = amount;
    this.currencyCode = currencyCode;
  }
}

/**
 * The largest amount the API can show: a GraphQL Int. Every total (a line, a cart, an order) is
 * kept at or below it when it is made, so no stored amount is ever unreadable.
 */
export const MAX_AMOUNT = 2_147_483_647;

/** The largest unit price: 10,000,000.00 in a two-decimal currency, two units still fit MAX_AMOUNT. */
export const MAX_PRICE = 1_000_000_000;

/** The sum of price × quantity over lines, as the API would show it. */
export const amountOf = (lines: { price: number; quantity: number }[]): number => lines.reduce((sum, l) => sum + l.price * l.quantity, 0);
