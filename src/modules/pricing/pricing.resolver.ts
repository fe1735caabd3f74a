import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { toPayload } from '../../core/payload';
import { Money } from '../../core/money';
import { Promotion, TaxRate } from './pricing.entity';
import { pricingService } from './pricing.service';
import { PromotionInput, PromotionPayload, TaxRateInput, TaxRatePayload } from './pricing.types';

@Resolver(() => Promotion)
export class PromotionResolver {
  @Query(() => [Promotion], { description: 'Staff: promotions, active ones unless active is false.' })
  promotions(@Ctx() ctx: RequestContext, @Arg('active', () => Boolean, { nullable: true }) active?: boolean): Promise<Promotion[]> {
    return pricingService.promotions(ctx, active);
  }

  @Mutation(() => PromotionPayload)
  async promotionCreate(@Ctx() ctx: RequestContext, @Arg('input', () => PromotionInput) input: PromotionInput): Promise<PromotionPayload> {
    return toPayload(await pricingService.createPromotion(ctx, input), 'promotion');
  }

  @Mutation(() => PromotionPayload)
  async promotionUpdate(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => PromotionInput) input: PromotionInput,
  ): Promise<PromotionPayload> {
    return toPayload(await pricingService.updatePromotion(ctx, id, input), 'promotion');
  }

  @Mutation(() => PromotionPayload)
  async promotionDeactivate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<PromotionPayload> {
    return toPayload(await pricingService.deactivatePromotion(ctx, id), 'promotion');
  }

  @FieldResolver(() => Money, { nullable: true })
  amountOff(@Root() promotion: Promotion, @Ctx() ctx: RequestContext): Money | undefined {
    return promotion.amountOff === null || promotion.amountOff === undefined ? undefined : new Money(promotion.amountOff, ctx.config.currencyCode);
  }

  @FieldResolver(() => Money, { nullable: true, description: 'The qualifying lines must reach this subtotal.' })
  minSubtotal(@Root() promotion: Promotion, @Ctx() ctx: RequestContext): Money | undefined {
    return promotion.minSubtotal === null || promotion.minSubtotal === undefined ? undefined : new Money(promotion.minSubtotal, ctx.config.currencyCode);
  }
}

@Resolver(() => TaxRate)
export class TaxRateResolver {
  @Query(() => [TaxRate])
  taxRates(@Ctx() ctx: RequestContext): Promise<TaxRate[]> {
    return pricingService.taxRates(ctx);
  }

  @Mutation(() => TaxRatePayload)
  async taxRateSet(@Ctx() ctx: RequestContext, @Arg('input', () => TaxRateInput) input: TaxRateInput): Promise<TaxRatePayload> {
    return toPayload(await pricingService.setTaxRate(ctx, input), 'taxRate');
  }
}
