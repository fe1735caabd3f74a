import type { Address } from '../../src/core/address';
import { locationService, type Location } from '../../src/modules/location';
import { pricingService, type Promotion } from '../../src/modules/pricing';
import type { PromotionInput } from '../../src/modules/pricing/pricing.types';
import { aStore, systemContext } from './fixtures';
import { type TestApp, unique } from './harness';

/**
 * Builders for prices, offers and tax. The test database is shared by every test file of a run:
 * a promotion here always names the SKUs (or collections) of its own test, and tax rates use
 * user-assigned country codes (XA–XZ) that no other test ships to.
 */
function expectOk<T>(result: { ok: true; value: T } | { ok: false; errors: { message: string }[] }): T {
  if (!result.ok) throw new Error(`fixture rejected: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.value;
}

export async function aPromotion(t: TestApp, input: Partial<PromotionInput> & Pick<PromotionInput, 'skus'>): Promise<Promotion> {
  return expectOk(await pricingService.createPromotion(systemContext(t), { title: unique('Offer'), ...input }));
}

/** A code promotion with a fresh code; returns the code too. */
export async function aCodePromotion(
  t: TestApp,
  input: Partial<PromotionInput> & Pick<PromotionInput, 'skus'>,
): Promise<{ promotion: Promotion; code: string }> {
  const code = unique('CODE')
    .replace(/[^A-Z0-9_-]/g, '')
    .slice(0, 60);
  return { promotion: await aPromotion(t, { code, ...input }), code };
}

export async function aTaxRate(
  t: TestApp,
  countryCode: string,
  regionCode: string | null,
  rateBasisPoints: number,
  name = `Tax ${countryCode}${regionCode ? `-${regionCode}` : ''}`,
): Promise<void> {
  expectOk(await pricingService.setTaxRate(systemContext(t), { countryCode, regionCode, name, rateBasisPoints }));
}

export const anAddress = (countryCode: string, regionCode?: string): Address => ({
  line1: '1 Main St',
  city: 'Town',
  postalCode: '10001',
  countryCode,
  regionCode,
});

/** A pickup store at an address (its tax is that address's). */
export async function aStoreAt(t: TestApp, address: Address): Promise<Location> {
  const store = await aStore(t);
  return expectOk(await locationService.update(systemContext(t), store.id, { address }));
}

/** A country code of the test's own, from XA to XZ, so tax rates of different files never meet. */
export const testCountry = (letter: string): string => `X${letter}`;

interface Amount {
  amount: number;
}
interface PricedLineShape {
  subtotal: Amount;
  discountTotal: Amount;
  loyaltyDiscount: Amount;
  taxTotal: Amount;
  total: Amount;
}
interface PricedShape {
  lines: PricedLineShape[];
  subtotal: Amount;
  discountTotal: Amount;
  loyaltyDiscount: Amount;
  taxTotal: Amount;
  taxesIncluded: boolean;
  total: Amount;
  discounts: { amount: Amount }[];
  taxLines: { amount: Amount }[];
}

/**
 * The identities every cart and order must satisfy: total = subtotal − discountTotal −
 * loyaltyDiscount (+ taxTotal when not included), the same per line, and the lines, discounts
 * and tax lines adding up exactly to the totals.
 */
export function totalsIdentities(p: PricedShape): string[] {
  const problems: string[] = [];
  const tax = (x: { taxTotal: Amount }) => (p.taxesIncluded ? 0 : x.taxTotal.amount);
  const check = (label: string, got: number, want: number) => got !== want && problems.push(`${label}: ${got} ≠ ${want}`);
  check('total', p.total.amount, p.subtotal.amount - p.discountTotal.amount - p.loyaltyDiscount.amount + tax(p));
  p.lines.forEach((l, i) => check(`line ${i} total`, l.total.amount, l.subtotal.amount - l.discountTotal.amount - l.loyaltyDiscount.amount + tax(l)));
  const sum = (f: (l: PricedLineShape) => number) => p.lines.reduce((s, l) => s + f(l), 0);
  check(
    'Σ line subtotal',
    sum((l) => l.subtotal.amount),
    p.subtotal.amount,
  );
  check(
    'Σ line discount',
    sum((l) => l.discountTotal.amount),
    p.discountTotal.amount,
  );
  check(
    'Σ line points',
    sum((l) => l.loyaltyDiscount.amount),
    p.loyaltyDiscount.amount,
  );
  check(
    'Σ line tax',
    sum((l) => l.taxTotal.amount),
    p.taxTotal.amount,
  );
  check(
    'Σ line total',
    sum((l) => l.total.amount),
    p.total.amount,
  );
  check(
    'Σ discounts',
    p.discounts.reduce((s, d) => s + d.amount.amount, 0),
    p.discountTotal.amount,
  );
  check(
    'Σ tax lines',
    p.taxLines.reduce((s, d) => s + d.amount.amount, 0),
    p.taxTotal.amount,
  );
  return problems;
}
