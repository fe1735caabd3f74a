import { DriverException } from '@mikro-orm/core';
import type { GraphQLFormattedError } from 'graphql';

/** Wording PostgreSQL and SQL builders put in messages; none of it is ever meant for a client. */
const DATABASE_WORDING =
  /violates (unique|foreign key|check|not-null|exclusion) constraint|duplicate key value|\bconstraint "|\brelation "|\bcolumn "|\btable "|syntax error at or near|\binsert into\b|\bdelete from\b|\bupdate "?\w+"? set\b|\bselect\s+(distinct\s+)?("?\w+"?\.|\*|count\()/i;

/** Database details (driver errors, SQL, table or constraint names) found in an error meant for the client. */
export function leaksInternals(formatted: GraphQLFormattedError, original: unknown): boolean {
  if (original instanceof DriverException) return true;
  if (original && typeof original === 'object' && ('sqlMessage' in original || 'constraint' in original || 'table' in original)) return true;
  return DATABASE_WORDING.test(formatted.message);
}

/**
 * GraphQL's "Did you mean …?" hints map the schema for anyone probing it, field by field; in
 * production, where introspection is off, they are cut from every message.
 */
export function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!/ Did you mean /.test(formatted.message)) return formatted;
  return { ...formatted, message: formatted.message.replace(/\s*Did you mean [^?]*\?/g, '').trim() };
}
