import type { LoyaltyConfig } from '../../core/config';
import type { ServiceContext } from '../../core/context';
import { encodeCursor, keysetAfter, pageSize, toConnection, type Connection, type PageArgs } from '../../core/pagination';
import { LoyaltyAccount, LoyaltyTier, LoyaltyTransaction, LoyaltyTransactionKind } from './loyalty.entity';
import { lockBalance, moveBalance } from './loyalty.sql';

export class LoyaltyService {
  /** Opens the account of a new customer (in the sign-up transaction). */
  openAccount(tx: ServiceContext, customerId: string): void {
    tx.em.create(LoyaltyAccount, { customer: customerId });
  }

  /**
   * Writes one ledger row and moves the balance by the same amount, in the caller's transaction.
   * The conditional update refuses to take the balance below zero (the CHECK backs it up), so two
   * channels spending the same points at once cannot both succeed. Returns false when refused.
   */
  async post(
    tx: ServiceContext,
    entry: { customerId: string; kind: LoyaltyTransactionKind; points: number; orderId?: string; countsForTier?: boolean },
  ): Promise<boolean> {
    if (entry.points === 0) return true;
    const lifetime = entry.countsForTier ? entry.points : 0;
    const balance = await moveBalance(tx.em, entry.customerId, entry.points, lifetime);
    if (balance === undefined) return false;
    tx.em.create(LoyaltyTransaction, {
      customer: entry.customerId,
      kind: entry.kind,
      points: entry.points,
      balanceAfter: balance,
      channel: tx.channel,
      orderId: entry.orderId,
    });
    await tx.em.flush();
    return true;
  }

  /**
   * Points for a completed order: 1 per whole currency unit paid by default, times the tier's
   * multiplier (the tier before this order). At most one EARN per order (a unique index).
   */
  async earnForOrder(tx: ServiceContext, customerId: string, orderId: string, amountPaid: number): Promise<number> {
    const config = tx.config.loyalty;
    const account = await tx.em.findOne(LoyaltyAccount, { customer: customerId }, { fields: ['lifetimePoints'] });
    const tier = this.tierOf(config, account?.lifetimePoints ?? 0);
    const multiplier = tier === LoyaltyTier.GOLD ? config.goldMultiplier : tier === LoyaltyTier.SILVER ? config.silverMultiplier : 1;
    const points = Math.floor(Math.floor(amountPaid / 100) * config.pointsPerUnit * multiplier);
    if (points > 0) await this.post(tx, { customerId, kind: LoyaltyTransactionKind.EARN, points, orderId, countsForTier: true });
    return points;
  }

  /**
   * A REVERSAL row. Giving points back always succeeds; taking them back takes at most what is
   * left, because the balance can never go below zero: if the customer already spent the
   * points, the shortfall is returned so the caller can note it. Returns the points not taken.
   */
  async reverse(tx: ServiceContext, entry: { customerId: string; orderId: string; points: number; countsForTier?: boolean }): Promise<number> {
    if (entry.points >= 0) {
      await this.post(tx, { ...entry, kind: LoyaltyTransactionKind.REVERSAL });
      return 0;
    }
    const taken = Math.min(-entry.points, (await lockBalance(tx.em, entry.customerId)) ?? 0);
    if (taken > 0) await this.post(tx, { ...entry, kind: LoyaltyTransactionKind.REVERSAL, points: -taken });
    return -entry.points - taken;
  }

  /** Points needed to cover `amount` minor units (the most a cart can usefully redeem). */
  pointsWorth(config: LoyaltyConfig, amount: number): number {
    return config.minorUnitsPerPoint > 0 ? Math.ceil(amount / config.minorUnitsPerPoint) : 0;
  }

  /** The spendable balance; a customer without an account has none. */
  async balanceOf(tx: ServiceContext, customerId: string): Promise<number> {
    const account = await tx.em.findOne(LoyaltyAccount, { customer: customerId }, { fields: ['balance'] });
    return account?.balance ?? 0;
  }

  tierOf(config: LoyaltyConfig, lifetimePoints: number): LoyaltyTier {
    if (lifetimePoints >= config.goldThreshold) return LoyaltyTier.GOLD;
    if (lifetimePoints >= config.silverThreshold) return LoyaltyTier.SILVER;
    return LoyaltyTier.BRONZE;
  }

  /** The discount, in minor units, that a number of points is worth. */
  discountFor(config: LoyaltyConfig, points: number): number {
    return Math.floor(points * config.minorUnitsPerPoint);
  }

  /** Newest first. */
  async transactions(ctx: ServiceContext, customerId: string, args: PageArgs): Promise<Connection<LoyaltyTransaction>> {
    const limit = pageSize(args);
    const rows = await ctx.em.find(
      LoyaltyTransaction,
      { $and: [{ customer: customerId }, keysetAfter(args.after, 'desc')] },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 },
    );
    return toConnection(rows, limit, (t) => encodeCursor(t.createdAt, t.id));
  }
}

export const loyaltyService = new LoyaltyService();
