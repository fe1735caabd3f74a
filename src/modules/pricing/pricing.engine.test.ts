import fc from 'fast-check';
import { Channel } from '../../core/channel';
import { allocate, divideHalfUp, price, type PricingRules, type PromotionRule } from './pricing.engine';

/** The engine alone: discounts and points split over lines to the cent, tax rounded half-up per line. */
const rule = (over: Partial<PromotionRule>): PromotionRule => ({
  id: over.id ?? 'p',
  title: 'offer',
  skus: [],
  collectionCodes: [],
  channels: [],
  timesUsed: 0,
  active: true,
  version: 1,
  createdAt: new Date(0),
  ...over,
});
const rules = (automatic: PromotionRule[], rate?: number): PricingRules => ({
  automatic,
  byCode: new Map(),
  taxRates: rate === undefined ? [] : [{ countryCode: 'XX', name: 'VAT', rateBasisPoints: rate }],
  collectionsOf: new Map(),
});
const points = (applied: number) => ({ applied, valueOf: (p: number) => p, worth: (a: number) => a });

describe('pricing engine', () => {
  it('allocates any amount over any lines to the cent, never more than a line holds', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 30 }), fc.nat(), (weights, seed) => {
        const total = weights.reduce((s, w) => s + w, 0);
        const amount = total ? seed % (total + 1) : 0;
        const shares = allocate(amount, weights);
        expect(shares.reduce((s, x) => s + x, 0)).toBe(total ? amount : 0);
        shares.forEach((share, i) => expect(share).toBeLessThanOrEqual(weights[i]));
      }),
    );
  });

  it('rounds half up', () => {
    expect([divideHalfUp(5, 10), divideHalfUp(4, 10), divideHalfUp(15, 10), divideHalfUp(0, 7)]).toEqual([1, 0, 2, 0]);
  });

  it('keeps the totals identities for any cart, promotion, points and tax', () => {
    const line = fc.record({ unitPrice: fc.integer({ min: 1, max: 100_000 }), quantity: fc.integer({ min: 1, max: 20 }) });
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 8 }),
        fc.oneof(fc.record({ percentOff: fc.integer({ min: 1, max: 100 }) }), fc.record({ amountOff: fc.integer({ min: 1, max: 500_000 }) })),
        fc.integer({ min: 0, max: 10_000 }),
        fc.nat({ max: 1_000_000 }),
        fc.boolean(),
        (lines, value, rate, applied, taxesIncluded) => {
          const input = {
            lines: lines.map((l, i) => ({ key: String(i), variantId: String(i), sku: `S${i}`, productId: `P${i}`, ...l })),
            channel: Channel.WEB,
            now: new Date(),
            codes: [],
            points: points(applied),
            taxAddress: { countryCode: 'XX' },
            taxesIncluded,
          };
          const p = price(rules([rule(value)], rate), input);
          const sum = (f: (l: (typeof p.lines)[number]) => number) => p.lines.reduce((s, l) => s + f(l), 0);
          expect(p.total).toBe(p.subtotal - p.discountTotal - p.loyaltyDiscount + (taxesIncluded ? 0 : p.taxTotal));
          for (const l of p.lines) {
            expect(l.total).toBe(l.subtotal - l.discountTotal - l.loyaltyDiscount + (taxesIncluded ? 0 : l.taxTotal));
            expect(l.subtotal - l.discountTotal - l.loyaltyDiscount).toBeGreaterThanOrEqual(0);
          }
          expect([sum((l) => l.discountTotal), sum((l) => l.loyaltyDiscount), sum((l) => l.taxTotal), sum((l) => l.total)]).toEqual([
            p.discountTotal,
            p.loyaltyDiscount,
            p.taxTotal,
            p.total,
          ]);
          expect(p.discounts.reduce((s, d) => s + d.amount, 0)).toBe(p.discountTotal);
        },
      ),
    );
  });

  it('applies only the best automatic promotion', () => {
    const lines = [{ key: 'a', variantId: 'a', sku: 'A', productId: 'P', quantity: 1, unitPrice: 10_000 }];
    const p = price(rules([rule({ id: 'ten', percentOff: 10 }), rule({ id: 'fifteen', amountOff: 1_500 }), rule({ id: 'five', percentOff: 5 })]), {
      lines,
      channel: Channel.POS,
      now: new Date(),
      codes: [],
      points: points(0),
      taxesIncluded: false,
    });
    expect(p.discounts.map((d) => [d.promotionId, d.amount])).toEqual([['fifteen', 1_500]]);
  });
});
