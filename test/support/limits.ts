/**
 * Every test comes from one address and many place orders paid in store for one customer: the
 * abuse limits' defaults would refuse them. Their own tests (test/security/stock-hostage.test.ts,
 * pickup-lookups.test.ts) set them low.
 */
export const TEST_LIMITS: Record<string, string> = {
  PAY_IN_STORE_MAX_UNITS_PER_ORDER: '1000000',
  PAY_IN_STORE_MAX_OPEN_ORDERS_PER_CUSTOMER: '1000000',
  PAY_IN_STORE_MAX_OPEN_ORDERS_PER_ADDRESS: '1000000',
  GUEST_CARTS_PER_ADDRESS: '1000000',
  GUEST_CHECKOUTS_PER_ADDRESS: '1000000',
  PICKUP_LOOKUP_MAX_FAILURES_PER_STAFF: '1000000',
  PICKUP_LOOKUP_MAX_FAILURES_PER_STORE: '1000000',
};
