import { ErrorCode, fail, ok, type Result } from '../errors';
import { decoyHash, verifyPassword } from './password';

const EMAIL_SHAPE = /^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/;
export const MIN_PASSWORD_LENGTH = 8;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** The shape checks every new account shares, customer or staff. */
export function validateCredentials(email: string, password: string, path: string[] = ['input']): Result<void> {
  if (!EMAIL_SHAPE.test(normalizeEmail(email)) || email.length > 254) {
    return fail(ErrorCode.INVALID_INPUT, 'Enter a valid email address.', [...path, 'email']);
  }
  if (password.length < MIN_PASSWORD_LENGTH || password.length > 200) {
    return fail(ErrorCode.INVALID_INPUT, `A password has ${MIN_PASSWORD_LENGTH} to 200 characters.`, [...path, 'password']);
  }
  return ok();
}

/**
 * True when the password matches the account's hash. An unknown account is checked against a
 * decoy so that "no such email" and "wrong password" take the same time and give the same error.
 */
export async function passwordMatches(account: { passwordHash: string } | null | undefined, password: string): Promise<boolean> {
  const matches = await verifyPassword(password, account?.passwordHash ?? (await decoyHash()));
  return Boolean(account) && matches;
}

export const invalidCredentials = () => fail(ErrorCode.INVALID_CREDENTIALS, 'The email or password is not right.');
