import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { recommendedVariantIds } from './recommendation.sql';

/** A customer's recommendations for one (first, locationId): keys of one request with the same pair share a statement. */
export interface RecommendationKey {
  customerId: string;
  first: number;
  locationId: string | null;
}

export const createRecommendationLoaders = (em: EntityManager) => ({
  recommendedVariantIds: new DataLoader<RecommendationKey, string[], string>(
    async (keys) => {
      const groups = new Map<string, RecommendationKey[]>();
      for (const key of keys) {
        const group = `${key.first}|${key.locationId ?? ''}`;
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const found = new Map<string, string[]>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const { first, locationId } = group[0];
          const ids = [...new Set(group.map((k) => k.customerId))];
          for (const row of await recommendedVariantIds(em, ids, first, locationId)) {
            const key = `${row.customer_id}|${first}|${locationId ?? ''}`;
            found.set(key, [...(found.get(key) ?? []), row.variant_id]);
          }
        }),
      );
      return keys.map((k) => found.get(`${k.customerId}|${k.first}|${k.locationId ?? ''}`) ?? []);
    },
    { cacheKeyFn: (k) => `${k.customerId}|${k.first}|${k.locationId ?? ''}` },
  ),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createRecommendationLoaders> {}
}
