import type { Channel } from '../../core/channel';
import { LoyaltyTier } from '../loyalty/loyalty.entity';

/**
 * The one pricing engine: carts on every channel and checkout price with this function alone, so
 * the web, the app and the till show the same discounts, tax and total for the same cart. It is
 * pure: whoever calls it reads the rules (see pricing.cache.ts) and the cart.
 *
 * Combination rule: the best single automatic promotion (the largest discount; the older one on a
 * tie) and at most one code (a cart holds one code; entering another replaces it). The automatic
 * discount is taken first, the code's from what is left of each line, so no line goes below zero.
 * Points are then taken from what is left, and tax is computed per line on what is finally paid.
 */

export interface PricingLine {
  /** The caller's id of the line (cart line id, or an index). */
  key: string;
  variantId: string;
  sku: string;
  productId: string;
  quantity: number;
  unitPrice: number;
}

export interface PromotionRule {
  id: string;
  title: string;
  code?: string | null;
  percentOff?: number | null;
  amountOff?: number | null;
  minSubtotal?: number | null;
  skus: string[];
  collectionCodes: string[];
  minTier?: LoyaltyTier | null;
  channels: Channel[];
  startsAt?: Date | null;
  endsAt?: Date | null;
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
  timesUsed: number;
  active: boolean;
  version: number;
  createdAt: Date;
}

export interface TaxRateRule {
  countryCode: string;
  regionCode?: string | null;
  name: string;
  rateBasisPoints: number;
}

/** Everything the engine knows about the rules, read once and shared by every cart priced. */
export interface PricingRules {
  /** Active automatic promotions. */
  automatic: PromotionRule[];
  /** Active code promotions by upper-cased code. */
  byCode: Map<string, PromotionRule>;
  taxRates: TaxRateRule[];
  /** The collections (of those promotions name) each product belongs to. */
  collectionsOf: Map<string, Set<string>>;
}

export interface PricingInput {
  lines: PricingLine[];
  channel: Channel;
  now: Date;
  /** The customer's tier; undefined for a guest (who meets no tier condition). */
  tier?: LoyaltyTier;
  customerId?: string;
  /** The codes entered on the cart (upper-cased). */
  codes: string[];
  /** The points applied to the cart, what a number of points is worth, and how many cover an amount. */
  points: { applied: number; valueOf: (points: number) => number; worth: (amount: number) => number };
  /** Where the goods are handed over or sent; no tax without one. */
  taxAddress?: { countryCode: string; regionCode?: string | null };
  taxesIncluded: boolean;
}

export interface PricedLine {
  key: string;
  subtotal: number;
  discountTotal: number;
  loyaltyDiscount: number;
  taxTotal: number;
  /** subtotal − discountTotal − loyaltyDiscount (+ taxTotal when taxes are not included). */
  total: number;
}

export interface PricedDiscount {
  promotionId: string;
  title: string;
  code: string | null;
  amount: number;
  /** The promotion's version priced: checkout applies it only if it is still the same. */
  version: number;
  limited: boolean;
}

export interface PricedTaxLine {
  name: string;
  rateBasisPoints: number;
  amount: number;
}

export interface Priced {
  lines: PricedLine[];
  subtotal: number;
  discountTotal: number;
  loyaltyDiscount: number;
  /** The points that pay `loyaltyDiscount`. */
  pointsRedeemed: number;
  taxTotal: number;
  total: number;
  discounts: PricedDiscount[];
  taxLines: PricedTaxLine[];
  taxesIncluded: boolean;
  /** Why the code on the cart gives nothing now, if it does not. */
  codeProblem?: Inapplicable;
}

const TIER_RANK: Record<LoyaltyTier, number> = { [LoyaltyTier.BRONZE]: 0, [LoyaltyTier.SILVER]: 1, [LoyaltyTier.GOLD]: 2 };

/** Half-up rounding of p / q for p ≥ 0, q > 0, in integers. */
export const divideHalfUp = (p: number, q: number): number => Math.floor((2 * p + q) / (2 * q));

/**
 * Splits `amount` over `weights` in proportion, in whole minor units that add up exactly to
 * `amount`: each share rounded down, the cents left over to the largest remainders (the earlier
 * line on a tie). No share exceeds its weight when amount ≤ the sum of the weights.
 */
export function allocate(amount: number, weights: number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  if (amount <= 0 || total <= 0) return weights.map(() => 0);
  const shares = weights.map((w) => Math.floor((amount * w) / total));
  let left = amount - shares.reduce((s, x) => s + x, 0);
  const order = weights.map((w, i) => ({ i, rest: (amount * w) % total })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    if (shares[i] < weights[i]) {
      shares[i] += 1;
      left -= 1;
    }
  }
  return shares;
}

export type Inapplicable = { code: 'DISCOUNT_CODE_INVALID' | 'DISCOUNT_NOT_APPLICABLE' | 'DISCOUNT_USAGE_LIMIT_REACHED'; message: string };

/**
 * Why a promotion does not apply to these lines now (undefined: it applies). The conditions that
 * belong to the promotion itself (window, active, usage) make a code invalid; those of the cart
 * (channel, tier, lines, subtotal) make it not applicable.
 */
export function whyNot(
  rule: PromotionRule,
  input: Pick<PricingInput, 'lines' | 'channel' | 'now' | 'tier' | 'customerId'>,
  collectionsOf: Map<string, Set<string>>,
): Inapplicable | undefined {
  const invalid = (message: string): Inapplicable => ({ code: 'DISCOUNT_CODE_INVALID', message });
  const notApplicable = (message: string): Inapplicable => ({ code: 'DISCOUNT_NOT_APPLICABLE', message });
  if (!rule.active) return invalid('This offer has ended.');
  if (rule.startsAt && input.now < rule.startsAt) return invalid(`This offer starts on ${rule.startsAt.toISOString().slice(0, 10)}.`);
  if (rule.endsAt && input.now >= rule.endsAt) return invalid('This offer has expired.');
  if (rule.usageLimit !== null && rule.usageLimit !== undefined && rule.timesUsed >= rule.usageLimit)
    return { code: 'DISCOUNT_USAGE_LIMIT_REACHED', message: 'This offer has been used up.' };
  if (rule.channels.length && !rule.channels.includes(input.channel)) return notApplicable(`This offer is only for ${rule.channels.join(', ')}.`);
  if (rule.minTier && (!input.tier || TIER_RANK[input.tier] < TIER_RANK[rule.minTier])) {
    return notApplicable(input.tier ? `This offer is for ${rule.minTier} members and above.` : `Sign in: this offer is for ${rule.minTier} members and above.`);
  }
  if (rule.perCustomerLimit && !input.customerId) return notApplicable('Sign in: this offer is limited per customer.');
  const qualifying = input.lines.filter((line) => qualifies(rule, line, collectionsOf));
  if (!qualifying.length) return notApplicable('Nothing in the cart is part of this offer.');
  const subtotal = qualifying.reduce((s, l) => s + l.unitPrice * l.quantity, 0);
  if (rule.minSubtotal && subtotal < rule.minSubtotal)
    return notApplicable(`The items of this offer must come to at least ${rule.minSubtotal} (minor units); they come to ${subtotal}.`);
  return undefined;
}

function qualifies(rule: PromotionRule, line: PricingLine, collectionsOf: Map<string, Set<string>>): boolean {
  if (rule.skus.length && !rule.skus.includes(line.sku)) return false;
  if (rule.collectionCodes.length) {
    const of = collectionsOf.get(line.productId);
    if (!of || !rule.collectionCodes.some((c) => of.has(c))) return false;
  }
  return true;
}

/** The discount of one promotion on what is left of each line, allocated to its qualifying lines. */
function discountOf(rule: PromotionRule, lines: PricingLine[], left: number[], collectionsOf: Map<string, Set<string>>): number[] {
  const weights = lines.map((line, i) => (qualifies(rule, line, collectionsOf) ? left[i] : 0));
  const base = weights.reduce((s, w) => s + w, 0);
  const amount = rule.percentOff ? divideHalfUp(base * rule.percentOff, 100) : Math.min(rule.amountOff ?? 0, base);
  return allocate(Math.min(amount, base), weights);
}

function taxRateFor(rules: PricingRules, address: PricingInput['taxAddress']): TaxRateRule | undefined {
  if (!address) return undefined;
  const country = address.countryCode.toUpperCase();
  const region = address.regionCode?.toUpperCase();
  return (
    (region ? rules.taxRates.find((r) => r.countryCode === country && r.regionCode === region) : undefined) ??
    rules.taxRates.find((r) => r.countryCode === country && !r.regionCode)
  );
}

export function price(rules: PricingRules, input: PricingInput): Priced {
  const { lines } = input;
  const subtotals = lines.map((l) => l.unitPrice * l.quantity);
  const left = [...subtotals];
  const discounts: PricedDiscount[] = [];
  const lineDiscounts = lines.map(() => 0);
  const take = (rule: PromotionRule, code: string | null) => {
    const shares = discountOf(rule, lines, left, rules.collectionsOf);
    const amount = shares.reduce((s, x) => s + x, 0);
    if (amount <= 0) return;
    shares.forEach((share, i) => {
      left[i] -= share;
      lineDiscounts[i] += share;
    });
    const limited = !!(rule.usageLimit || rule.perCustomerLimit);
    discounts.push({ promotionId: rule.id, title: rule.title, code, amount, version: rule.version, limited });
  };

  // The best automatic promotion: each priced alone on the full lines.
  let best: { rule: PromotionRule; amount: number } | undefined;
  for (const rule of rules.automatic) {
    if (whyNot(rule, input, rules.collectionsOf)) continue;
    const amount = discountOf(rule, lines, subtotals, rules.collectionsOf).reduce((s, x) => s + x, 0);
    if (amount > 0 && (!best || amount > best.amount || (amount === best.amount && rule.createdAt < best.rule.createdAt))) best = { rule, amount };
  }
  if (best) take(best.rule, null);
  const code = input.codes[0];
  const coded = code ? rules.byCode.get(code) : undefined;
  let codeProblem: Inapplicable | undefined;
  if (code && !coded) codeProblem = { code: 'DISCOUNT_CODE_INVALID', message: `The offer of the code ${code} has ended: remove the code.` };
  else if (coded) {
    codeProblem = whyNot(coded, input, rules.collectionsOf);
    if (!codeProblem) take(coded, coded.code ?? code);
  }

  const discountTotal = lineDiscounts.reduce((s, x) => s + x, 0);
  const afterDiscounts = subtotals.reduce((s, x) => s + x, 0) - discountTotal;
  // Never more points than cover what is left to pay: those are the points checkout redeems.
  const pointsRedeemed = Math.max(0, Math.min(input.points.applied, input.points.worth(afterDiscounts)));
  const loyaltyDiscount = Math.min(afterDiscounts, input.points.valueOf(pointsRedeemed));
  const linePoints = allocate(loyaltyDiscount, left);

  const rate = taxRateFor(rules, input.taxAddress);
  const priced: PricedLine[] = lines.map((line, i) => {
    const taxable = left[i] - linePoints[i];
    const taxTotal = !rate
      ? 0
      : input.taxesIncluded
        ? divideHalfUp(taxable * rate.rateBasisPoints, 10_000 + rate.rateBasisPoints)
        : divideHalfUp(taxable * rate.rateBasisPoints, 10_000);
    return {
      key: line.key,
      subtotal: subtotals[i],
      discountTotal: lineDiscounts[i],
      loyaltyDiscount: linePoints[i],
      taxTotal,
      total: taxable + (input.taxesIncluded ? 0 : taxTotal),
    };
  });
  const sum = (f: (l: PricedLine) => number) => priced.reduce((s, l) => s + f(l), 0);
  const taxTotal = sum((l) => l.taxTotal);
  return {
    lines: priced,
    subtotal: sum((l) => l.subtotal),
    discountTotal,
    loyaltyDiscount,
    pointsRedeemed,
    taxTotal,
    total: sum((l) => l.total),
    discounts,
    taxLines: rate ? [{ name: rate.name, rateBasisPoints: rate.rateBasisPoints, amount: taxTotal }] : [],
    taxesIncluded: input.taxesIncluded,
    codeProblem,
  };
}

/** Tax lines grouped by name and rate (orders that gained lines later may hold several). */
export function groupTaxLines(lines: PricedTaxLine[]): PricedTaxLine[] {
  const groups = new Map<string, PricedTaxLine>();
  for (const line of lines) {
    const key = `${line.name}\u0000${line.rateBasisPoints}`;
    const group = groups.get(key);
    if (group) group.amount += line.amount;
    else groups.set(key, { ...line });
  }
  return [...groups.values()];
}
