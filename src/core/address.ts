import { Field, InputType, ObjectType } from 'type-graphql';

/** A postal address: the same shape as output (Address) and as input (AddressInput). */
@ObjectType('Address')
@InputType('AddressInput')
export class Address {
  @Field(() => String, { nullable: true })
  name?: string;

  @Field()
  line1: string;

  @Field(() => String, { nullable: true })
  line2?: string;

  @Field()
  city: string;

  @Field()
  postalCode: string;

  @Field()
  countryCode: string;
}
