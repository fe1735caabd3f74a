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
