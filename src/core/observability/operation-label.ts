/**
 * Operation names come from clients: used as metric labels or span names unchecked, one client
 * sending random names would create unbounded series. Well-formed names are kept up to a fixed
 * number of distinct ones per process; anything else is folded into one bucket.
 */
const MAX_DISTINCT = 500;
const seen = new Set<string>();

export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name)) return 'invalid';
  if (seen.has(name)) return name;
  if (seen.size >= MAX_DISTINCT) return 'other';
  seen.add(name);
  return name;
}

/** A GraphQL error's code as a label: one without a code is unexpected, and reaches the client masked as INTERNAL_SERVER_ERROR. */
export function errorCodeLabel(error: { readonly extensions?: { readonly code?: unknown } }): string {
  return typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
}
