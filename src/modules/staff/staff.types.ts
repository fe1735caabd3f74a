import { Field, ID, InputType } from 'type-graphql';
import { StaffRole } from '../../core/auth/actor';
import { Staff } from './staff.entity';
import { payloadType } from '../../core/payload';

@InputType()
export class StaffCreateInput {
  @Field()
  email: string;

  @Field()
  password: string;

  @Field(() => StaffRole)
  role: StaffRole;

  @Field(() => ID, { nullable: true })
  locationId?: string;
}

export const StaffAuthPayload = payloadType('StaffAuthPayload', { token: String, staff: Staff });
export type StaffAuthPayload = InstanceType<typeof StaffAuthPayload>;

export const StaffPayload = payloadType('StaffPayload', { staff: Staff });
export type StaffPayload = InstanceType<typeof StaffPayload>;
