import { GraphQLError } from 'graphql';
import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum ErrorCode {
  NOT_FOUND = 'NOT_FOUND',
  INVALID_INPUT = 'INVALID_INPUT',
  INVALID_QUANTITY = 'INVALID_QUANTITY',
  OUT_OF_STOCK = 'OUT_OF_STOCK',
  CART_EMPTY = 'CART_EMPTY',
  CART_NOT_ACTIVE = 'CART_NOT_ACTIVE',
  FULFILLMENT_REQUIRED = 'FULFILLMENT_REQUIRED',
  LOCATION_NOT_AVAILABLE = 'LOCATION_NOT_AVAILABLE',
  INSUFFICIENT_POINTS = 'INSUFFICIENT_POINTS',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  INVALID_STATE = 'INVALID_STATE',
  INVALID_PICKUP_CODE = 'INVALID_PICKUP_CODE',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  PAYMENT_DECLINED = 'PAYMENT_DECLINED',
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  TOO_MANY_ATTEMPTS = 'TOO_MANY_ATTEMPTS',
  PRODUCT_ARCHIVED = 'PRODUCT_ARCHIVED',
  DISCOUNT_CODE_INVALID = 'DISCOUNT_CODE_INVALID',
  DISCOUNT_NOT_APPLICABLE = 'DISCOUNT_NOT_APPLICABLE',
  DISCOUNT_USAGE_LIMIT_REACHED = 'DISCOUNT_USAGE_LIMIT_REACHED',
  CONTACT_REQUIRED = 'CONTACT_REQUIRED',
  INVALID_TOKEN = 'INVALID_TOKEN',
  WEAK_PASSWORD = 'WEAK_PASSWORD',
  INSUFFICIENT_FUNDS = 'INSUFFICIENT_FUNDS',
  PAYMENT_MISMATCH = 'PAYMENT_MISMATCH',
  FORBIDDEN_TARGET = 'FORBIDDEN_TARGET',
}
registerEnumType(ErrorCode, { name: 'ErrorCode' });

@ObjectType({ description: "A business failure: returned in a payload's userErrors; nothing was changed." })
export class UserError {
  @Field(() => ErrorCode)
  code: ErrorCode;

  @Field()
  message: string;

  @Field(() => [String], { nullable: true, description: 'Path to the input field at fault, e.g. ["lines", "0", "quantity"].' })
  field?: string[];

  constructor(code: ErrorCode, message: string, field?: (string | number)[]) {
    this.code = code;
    this.message = message;
    this.field = field?.map(String);
  }
}

/**
 * Expected failures are values: a service returns a `Result` and the resolver turns a failure
 * into the payload's `userErrors` (`toPayload` in core/payload.ts). Only bugs and auth failures
 * throw. `D` is what a failure tells its caller beyond the user errors, e.g. which line is out
 * of stock and how many are left; the client sees only the errors.
 */
export type Ok<T> = { ok: true; value: T };
export type Failure<D = never> = { ok: false; errors: UserError[]; details?: D };
export type Result<T, D = never> = Ok<T> | Failure<D>;

export function ok(): Ok<void>;
export function ok<T>(value: T): Ok<T>;
export function ok<T>(value?: T): Ok<T | undefined> {
  return { ok: true, value };
}

export function fail<D = never>(code: ErrorCode, message: string, field?: (string | number)[], details?: D): Failure<D> {
  return details === undefined
    ? { ok: false, errors: [new UserError(code, message, field)] }
    : { ok: false, errors: [new UserError(code, message, field)], details };
}

export const unauthenticated = (message = 'Sign in to do this.') =>
  new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

export const forbidden = (message = 'You are not allowed to do this.') => new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });

/** A query (which has no userErrors) refused by an abuse limit; mutations return TOO_MANY_ATTEMPTS in userErrors instead. */
export const tooManyRequests = (message: string, retryAfterMs: number) =>
  new GraphQLError(message, { extensions: { code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) } });

export const badRequest = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/** Error codes whose message is meant for the client; everything else is masked. */
export const CLIENT_ERROR_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  // Request limits (src/core/security): the query was refused before it ran.
  'QUERY_TOO_COMPLEX',
  'TOO_MANY_OPERATIONS',
  // A query refused by an abuse limit (queries have no userErrors): see `tooManyRequests`.
  'TOO_MANY_ATTEMPTS',
]);
