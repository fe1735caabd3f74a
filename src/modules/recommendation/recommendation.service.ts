import type { ServiceContext } from '../../core/context';
import { learnFromPlacedOrders } from './recommendation.sql';

const BATCH = 500;

export class RecommendationService {
  /** The row that makes a placed order count: written by checkout in the statement that places the order. */
  purchaseToLearn(orderId: string, at: Date): { table: string; rows: Record<string, unknown>[] } {
    return { table: 'purchase_to_learn', rows: [{ order_id: orderId, created_at: at }] };
  }

  /**
   * The job: learns from every order placed since the last run, in batches (each one statement,
   * one transaction). Safe on any number of instances: each claims other orders.
   */
  async learn(ctx: ServiceContext): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await learnFromPlacedOrders(ctx.em, BATCH);
      total += n;
      if (n < BATCH) return total;
    }
  }
}

export const recommendationService = new RecommendationService();
