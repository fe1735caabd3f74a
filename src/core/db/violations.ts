import { UniqueConstraintViolationException } from '@mikro-orm/core';

/** A unique index refused the write: a race lost to a concurrent request, reported as a user error. */
export const isUniqueViolation = (err: unknown): boolean => err instanceof UniqueConstraintViolationException;
