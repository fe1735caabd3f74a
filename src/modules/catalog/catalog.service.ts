import { requireAdmin } from '../../core/auth/guards';
import type { FilterQuery } from '@mikro-orm/core';
import type { ServiceContext } from '../../core/context';
import { isUniqueViolation } from '../../core/db/violations';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { keysetAfter, pageSize, toConnection, encodeCursor, type Connection, type PageArgs } from '../../core/pagination';
import { transactional } from '../../core/db/transaction';
import { Product, ProductVariant, type ProductView } from './catalog.entity';
import type { ProductCreateInput } from './catalog.types';
import { MAX_PRICE } from '../../core/money';

export const SKU_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export class CatalogService {
  /** ADMIN: a product with its variants. */
  async createProduct(ctx: ServiceContext, input: ProductCreateInput): Promise<Result<Product>> {
    requireAdmin(ctx);
    const valid = validateProduct(input);
    if (!valid.ok) return valid;
    try {
      return await transactional(ctx, async (tx) => {
        const created = tx.em.create(Product, { title: input.title.trim() });
        input.variants.forEach((v, i) => {
          // Distinct createdAt per variant keeps the input's order when listed.
          tx.em.create(ProductVariant, {
            product: created,
            sku: v.sku.trim(),
            title: v.title.trim(),
            priceAmount: v.priceAmount,
            createdAt: new Date(created.createdAt.getTime() + i),
          });
        });
        return ok(created);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const skus = input.variants.map((v) => v.sku.trim());
        const taken = await ctx.em.find(ProductVariant, { sku: { $in: skus } }, { fields: ['sku'] });
        const index = Math.max(0, skus.findIndex((sku) => taken.some((t) => t.sku === sku)));
        return fail(ErrorCode.INVALID_INPUT, `The SKU ${skus[index]} is already in the catalog.`, ['input', 'variants', index, 'sku']);
      }
      throw err;
    }
  }

  /** A page of products as plain rows: listing builds no managed entities (see `variantsByProduct`). */
  async products(ctx: ServiceContext, args: PageArgs & { query?: string | null }): Promise<Connection<ProductView>> {
    const limit = pageSize(args);
    const where: FilterQuery<Product>[] = [keysetAfter(args.after, 'asc') as FilterQuery<Product>];
    const query = args.query?.trim();
    if (query) {
      const pattern = `%${escapeLike(query)}%`;
      const bySku = await ctx.em.find(ProductVariant, { sku: { $ilike: pattern } }, { fields: ['product'], limit: 500 });
      where.push({ $or: [{ title: { $ilike: pattern } }, { id: { $in: bySku.map((v) => v.product.id) } }] });
    }
    const rows = await ctx.em
      .createQueryBuilder(Product)
      .select(['id', 'title', 'createdAt'])
      .where({ $and: where })
      .orderBy({ createdAt: 'asc', id: 'asc' })
      .limit(limit + 1)
      .execute<ProductView[]>('all');
    return toConnection(rows, limit, (p) => encodeCursor(p.createdAt, p.id));
  }

  /** Variants by sku for the given SKUs, in one statement (used by carts and stock). */
  async variantsBySku(ctx: ServiceContext, skus: string[]): Promise<Map<string, ProductVariant>> {
    const rows = await ctx.em.find(ProductVariant, { sku: { $in: skus } });
    return new Map(rows.map((v) => [v.sku, v]));
  }
}

function validateProduct(input: ProductCreateInput): Result<void> {
  const title = input.title.trim();
  if (!title || title.length > 300) return fail(ErrorCode.INVALID_INPUT, 'A product needs a title (at most 300 characters).', ['input', 'title']);
  if (input.variants.length === 0) return fail(ErrorCode.INVALID_INPUT, 'A product needs at least one variant.', ['input', 'variants']);
  if (input.variants.length > 100) return fail(ErrorCode.INVALID_INPUT, 'A product has at most 100 variants.', ['input', 'variants']);
  const seen = new Set<string>();
  for (const [i, v] of input.variants.entries()) {
    const sku = v.sku.trim();
    if (!SKU_SHAPE.test(sku)) {
      return fail(ErrorCode.INVALID_INPUT, 'A SKU is 1–64 letters, digits, ".", "-" or "_".', ['input', 'variants', i, 'sku']);
    }
    if (seen.has(sku)) return fail(ErrorCode.INVALID_INPUT, `The SKU ${sku} appears twice.`, ['input', 'variants', i, 'sku']);
    seen.add(sku);
    if (!v.title.trim() || v.title.length > 300) {
      return fail(ErrorCode.INVALID_INPUT, 'A variant needs a title (at most 300 characters).', ['input', 'variants', i, 'title']);
    }
    if (!Number.isInteger(v.priceAmount) || v.priceAmount < 0 || v.priceAmount > MAX_PRICE) {
      return fail(ErrorCode.INVALID_INPUT, `A price is a whole number of minor units from 0 to ${MAX_PRICE}.`, ['input', 'variants', i, 'priceAmount']);
    }
  }
  return ok();
}

export const catalogService = new CatalogService();
