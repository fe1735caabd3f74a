import { Field, InputType, ObjectType } from 'type-graphql';

@ObjectType()
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

@InputType()
export class AddressInput {
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
