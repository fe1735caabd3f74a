import { dictionary } from '@zxcvbn-ts/language-common';
import { ErrorCode, fail, ok, type Result } from '../errors';
import { decoyHash, verifyPassword } from './password';

const EMAIL_SHAPE = /^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

// The ~49,000 most common passwords of public breach lists (zxcvbn-ts's list), read on first use.
let common: Set<string> | undefined;
const commonPasswords = (): Set<string> => (common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));

/**
 * Refuses a new password that is too easy to guess: shorter than 10 characters, or one of the
 * common passwords (compared without case) that guessing tools try first.
 */
export function weakPassword(password: string, field: string[] = ['input', 'password']): Result<void> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return fail(ErrorCode.WEAK_PASSWORD, `A password has at least ${MIN_PASSWORD_LENGTH} characters.`, field);
  }
  if (commonPasswords().has(password.toLowerCase())) {
    return fail(ErrorCode.WEAK_PASSWORD, 'This password is one of the most common ones: choose another.', field);
  }
  return ok();
}

/** The shape checks every new account shares, customer or staff. */
export function validateCredentials(email: string, password: string, path: string[] = ['input']): Result<void> {
  if (!EMAIL_SHAPE.test(normalizeEmail(email)) || email.length > 254) {
    return fail(ErrorCode.INVALID_INPUT, 'Enter a valid email address.', [...path, 'email']);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return fail(ErrorCode.INVALID_INPUT, `A password has at most ${MAX_PASSWORD_LENGTH} characters.`, [...path, 'password']);
  }
  return weakPassword(password, [...path, 'password']);
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
