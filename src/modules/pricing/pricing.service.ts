import type { Address } from '../../core/address';
import { requireAdmin, requireStaff } from '../../core/auth/guards';
import { requestLoaders, type ServiceContext } from '../../core/context';
import { transactional } from '../../core/db/transaction';
import { isUniqueViolation } from '../../core/db/violations';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { Location } from '../location/location.entity';
import { LoyaltyAccount } from '../loyalty/loyalty.entity';
import { loyaltyService } from '../loyalty';
import { pricingCacheOf } from './pricing.cache';
import { price, whyNot, type Priced, type PricedDiscount, type PricingLine, type PricingRules, type PromotionRule } from './pricing.engine';
import { Promotion, PromotionUsage, TaxRate } from './pricing.entity';
import { countLimitedUses, countUses, releaseUses, upsertTaxRate } from './pricing.sql';
import { validPromotion } from './promotion.rules';
import type { PromotionInput, TaxRateInput } from './pricing.types';

/** A cart as the engine needs it: the caller (cart reads, checkout) gives it from what it has read. */
export interface CartToPrice {
  lines: { key: string; quantity: number; variant: { id: string; sku: string; priceAmount: number; product: { id: string } } }[];
  customerId?: string;
  codes: string[];
  pointsApplied: number;
  /** The pickup or in-store location's address, or the shipping address; none before a fulfilment is chosen. */
  taxAddress?: Pick<Address, 'countryCode' | 'regionCode'>;
}

const needsTier = (rules: PricingRules, codes: string[]): boolean =>
  rules.automatic.some((p) => p.minTier) || codes.some((c) => !!rules.byCode.get(c)?.minTier);

export class PricingService {
  /** The rules in force: from this instance's cache, or one statement when it has none. */
  rules(ctx: ServiceContext): Promise<PricingRules> {
    return pricingCacheOf(ctx.config).get(ctx.em);
  }

  /** Whether any tax rate is set: without one, no cart needs its location read for tax. */
  async taxesApply(ctx: ServiceContext): Promise<boolean> {
    return (await this.rules(ctx)).taxRates.length > 0;
  }

  /**
   * Prices a cart with the one engine. Reads nothing but the rules (cached) and, only when some
   * promotion asks for a loyalty tier, the customer's account.
   */
  async price(ctx: ServiceContext, cart: CartToPrice, now = new Date()): Promise<Priced> {
    const rules = await this.rules(ctx);
    const tier = cart.customerId && needsTier(rules, cart.codes) ? await this.tierOf(ctx, cart.customerId) : undefined;
    const config = ctx.config.loyalty;
    return price(rules, {
      lines: toLines(cart),
      channel: ctx.channel,
      now,
      tier,
      customerId: cart.customerId,
      codes: cart.codes,
      points: { applied: cart.pointsApplied, valueOf: (p) => loyaltyService.discountFor(config, p), worth: (a) => loyaltyService.pointsWorth(config, a) },
      taxAddress: cart.taxAddress,
      taxesIncluded: ctx.config.pricesIncludeTax,
    });
  }

  /**
   * Lines bought at the pickup counter and added to an order: today's price and the store's tax.
   * Promotions apply to carts; these lines are not part of one.
   */
  async priceCounterLines(ctx: ServiceContext, lines: CartToPrice['lines'], locationId: string): Promise<Priced> {
    const rules = await this.rules(ctx);
    const location = lines.length && rules.taxRates.length ? await ctx.em.findOne(Location, { id: locationId }) : null;
    return price(
      { ...rules, automatic: [], byCode: new Map() },
      {
        lines: toLines({ lines, codes: [], pointsApplied: 0 }),
        channel: ctx.channel,
        now: new Date(),
        codes: [],
        points: { applied: 0, valueOf: () => 0, worth: () => 0 },
        taxAddress: location?.address,
        taxesIncluded: ctx.config.pricesIncludeTax,
      },
    );
  }

  /** The promotion of a code entered on a cart, or why it cannot go on this cart now. */
  async checkCode(ctx: ServiceContext, code: string, cart: CartToPrice): Promise<Result<PromotionRule>> {
    const rules = await this.rules(ctx);
    const rule = rules.byCode.get(normalizeCode(code));
    if (!rule) return fail(ErrorCode.DISCOUNT_CODE_INVALID, 'No offer has this code.', ['code']);
    const tier = cart.customerId && rule.minTier ? await this.tierOf(ctx, cart.customerId) : undefined;
    const problem = whyNot(rule, { lines: toLines(cart), channel: ctx.channel, now: new Date(), tier, customerId: cart.customerId }, rules.collectionsOf);
    if (problem) return fail(ErrorCode[problem.code], problem.message, ['code']);
    if (rule.perCustomerLimit && cart.customerId) {
      // Said now rather than at checkout; checkout still decides, under the row lock.
      const used = await ctx.em.findOne(PromotionUsage, { promotion: rule.id, customer: cart.customerId });
      if (used && used.timesUsed >= rule.perCustomerLimit)
        return fail(ErrorCode.DISCOUNT_USAGE_LIMIT_REACHED, 'You have already used this offer as often as it allows.', ['code']);
    }
    return ok(rule);
  }

  /**
   * Counts an order's use of its promotions, in the checkout transaction, in one statement: a
   * conditional update of each promotion's counter (the row lock makes racing checkouts queue,
   * and each sees the count the one before it left), and a conditional upsert of the customer's
   * count. A promotion used up, or changed since the cart was priced, refuses the checkout;
   * the transaction then rolls back and nothing changes.
   */
  async recordUsage(tx: ServiceContext, discounts: PricedDiscount[], customerId?: string): Promise<Result<void>> {
    if (!discounts.length) return ok();
    const row = await countLimitedUses(
      tx.em,
      discounts.map((d) => ({ promotionId: d.promotionId, version: d.version })),
      customerId,
    );
    if (row.bumped === discounts.length && row.counted === row.limited) return ok();
    if (row.bumped === discounts.length) {
      return fail(ErrorCode.DISCOUNT_USAGE_LIMIT_REACHED, 'You have already used this offer as often as it allows; remove the code to check out.', ['cartId']);
    }
    // Only on the way out: which promotion refused, to say why.
    const current = await tx.em.find(Promotion, { id: { $in: discounts.map((d) => d.promotionId) } });
    const usedUp = current.find((p) => p.usageLimit !== null && p.usageLimit !== undefined && p.timesUsed >= p.usageLimit);
    if (usedUp) return fail(ErrorCode.DISCOUNT_USAGE_LIMIT_REACHED, `The offer "${usedUp.title}" has been used up; remove its code to check out.`, ['cartId']);
    return fail(ErrorCode.DISCOUNT_NOT_APPLICABLE, 'An offer on this cart has just changed or ended; review the cart and check out again.', ['cartId']);
  }

  /**
   * Counts the use of offers without a limit, just after the checkout has committed: nothing is
   * decided on these counters, and a checkout holding a popular offer's row lock would make every
   * other checkout with it wait.
   */
  async countUses(ctx: ServiceContext, discounts: PricedDiscount[]): Promise<void> {
    if (!discounts.length) return;
    await countUses(
      ctx.em,
      discounts.map((d) => d.promotionId),
    );
  }

  /** Gives back an order's use of its promotions (cancelled or expired; a return keeps it used). */
  async releaseUsage(tx: ServiceContext, promotionIds: string[], customerId?: string): Promise<void> {
    if (promotionIds.length) await releaseUses(tx.em, promotionIds, customerId);
  }

  async createPromotion(ctx: ServiceContext, input: PromotionInput): Promise<Result<Promotion>> {
    requireAdmin(ctx);
    return this.savePromotion(ctx, input, undefined);
  }

  async updatePromotion(ctx: ServiceContext, id: string, input: PromotionInput): Promise<Result<Promotion>> {
    requireAdmin(ctx);
    if (!isUuid(id)) return fail(ErrorCode.NOT_FOUND, 'No promotion has this id.', ['id']);
    return this.savePromotion(ctx, input, id);
  }

  deactivatePromotion(ctx: ServiceContext, id: string): Promise<Result<Promotion>> {
    requireAdmin(ctx);
    if (!isUuid(id)) return Promise.resolve(fail(ErrorCode.NOT_FOUND, 'No promotion has this id.', ['id']));
    return this.changed(ctx, () =>
      transactional(ctx, async (tx) => {
        const promotion = await tx.em.findOne(Promotion, { id });
        if (!promotion) return fail(ErrorCode.NOT_FOUND, 'No promotion has this id.', ['id']);
        if (promotion.active) {
          promotion.active = false;
          promotion.version += 1;
          promotion.updatedAt = new Date();
          await tx.em.flush();
        }
        return ok(promotion);
      }),
    );
  }

  /** Staff: the active promotions, or every one when `active` is false. */
  promotions(ctx: ServiceContext, active?: boolean | null): Promise<Promotion[]> {
    requireStaff(ctx);
    return ctx.em.find(Promotion, active === false ? {} : { active: true }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  taxRates(ctx: ServiceContext): Promise<TaxRate[]> {
    return ctx.em.find(TaxRate, {}, { orderBy: { countryCode: 'asc', regionCode: 'asc' } });
  }

  /** Sets the rate of a country, or of a region of it: one per place, a new rate replaces the old. */
  async setTaxRate(ctx: ServiceContext, input: TaxRateInput): Promise<Result<TaxRate>> {
    requireAdmin(ctx);
    const countryCode = input.countryCode.trim().toUpperCase();
    const regionCode = input.regionCode?.trim().toUpperCase() || null;
    const name = input.name.trim();
    if (!/^[A-Z]{2}$/.test(countryCode)) return fail(ErrorCode.INVALID_INPUT, 'countryCode is a two-letter ISO code.', ['input', 'countryCode']);
    if (regionCode && !/^[A-Z0-9]{1,3}$/.test(regionCode))
      return fail(ErrorCode.INVALID_INPUT, 'regionCode is the subdivision part of an ISO 3166-2 code, e.g. NY.', ['input', 'regionCode']);
    if (!name || name.length > 100) return fail(ErrorCode.INVALID_INPUT, 'A tax rate needs a name (at most 100 characters).', ['input', 'name']);
    if (!Number.isInteger(input.rateBasisPoints) || input.rateBasisPoints < 0 || input.rateBasisPoints > 10_000) {
      return fail(ErrorCode.INVALID_INPUT, 'A rate is a whole number of basis points from 0 to 10000 (100 %).', ['input', 'rateBasisPoints']);
    }
    return this.changed(ctx, async () => ok(await upsertTaxRate(ctx.em, { countryCode, regionCode, name, rateBasisPoints: input.rateBasisPoints })));
  }

  private async savePromotion(ctx: ServiceContext, input: PromotionInput, id: string | undefined): Promise<Result<Promotion>> {
    const checked = await validPromotion(ctx, input);
    if (!checked.ok) return checked;
    const values = checked.value;
    try {
      return await this.changed(ctx, () =>
        transactional(ctx, async (tx) => {
          let promotion: Promotion | null;
          if (id) {
            promotion = await tx.em.findOne(Promotion, { id });
            if (!promotion) return fail(ErrorCode.NOT_FOUND, 'No promotion has this id.', ['id']);
            if (values.usageLimit !== undefined && values.usageLimit < promotion.timesUsed) {
              return fail(ErrorCode.INVALID_INPUT, `This promotion has been used ${promotion.timesUsed} times already: the limit cannot be lower.`, [
                'input',
                'usageLimit',
              ]);
            }
            // Every field is replaced: one left out of the input is cleared.
            const cleared = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value ?? null]));
            tx.em.assign(promotion, { ...cleared, version: promotion.version + 1, updatedAt: new Date() });
          } else promotion = tx.em.create(Promotion, values);
          await tx.em.flush();
          return ok(promotion);
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err)) return fail(ErrorCode.INVALID_INPUT, `The code ${values.code} is taken by another promotion.`, ['input', 'code']);
      throw err;
    }
  }

  /**
   * Runs a change of the rules and drops this instance's copy after it commits (the database's
   * notification does the same on every instance; this covers an instance not listening yet).
   */
  private async changed<T>(ctx: ServiceContext, change: () => Promise<Result<T>>): Promise<Result<T>> {
    const result = await change();
    if (result.ok) pricingCacheOf(ctx.config).invalidate();
    return result;
  }

  private async tierOf(ctx: ServiceContext, customerId: string) {
    const loaders = requestLoaders(ctx);
    const account = loaders
      ? await loaders.loyaltyAccountByCustomer.load(customerId)
      : await ctx.em.findOne(LoyaltyAccount, { customer: customerId }, { fields: ['lifetimePoints'] });
    return loyaltyService.tierOf(ctx.config.loyalty, account?.lifetimePoints ?? 0);
  }
}

export const normalizeCode = (code: string): string => code.trim().toUpperCase();

function toLines(cart: CartToPrice): PricingLine[] {
  return cart.lines.map((l) => ({
    key: l.key,
    variantId: l.variant.id,
    sku: l.variant.sku,
    productId: l.variant.product.id,
    quantity: l.quantity,
    unitPrice: l.variant.priceAmount,
  }));
}

export const pricingService = new PricingService();
