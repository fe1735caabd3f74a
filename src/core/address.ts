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

  @Field(() => String, {
    nullable: true,
    description: "A state, province or region (ISO 3166-2 subdivision without the country, e.g. NY): tax rates for a region win over the country's.",
  })
  regionCode?: string;
}

/** Country and region codes upper-cased, blanks trimmed: tax rates are matched on these codes. */
export function normalizeAddress(address: Address): Address {
  const regionCode = address.regionCode?.trim().toUpperCase();
  return { ...address, countryCode: address.countryCode.trim().toUpperCase(), regionCode: regionCode || undefined };
}

/** What is wrong with an address (already normalized), as a message and the field at fault. */
export function addressProblem(address: Address): { message: string; field: string } | undefined {
  for (const key of ['line1', 'city', 'postalCode'] as const) {
    if (!address[key]?.trim()) return { message: `The address needs ${key}.`, field: key };
  }
  if (!/^[A-Z]{2}$/.test(address.countryCode)) return { message: 'countryCode is a two-letter ISO code.', field: 'countryCode' };
  if (address.regionCode !== undefined && !/^[A-Z0-9]{1,3}$/.test(address.regionCode)) {
    return { message: 'regionCode is the subdivision part of an ISO 3166-2 code, e.g. NY.', field: 'regionCode' };
  }
  return undefined;
}
