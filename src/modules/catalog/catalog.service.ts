import { requireAdmin } from '../../core/auth/guards';
import type { FilterQuery } from '@mikro-orm/core';
import type { ServiceContext } from '../../core/context';
import { transactional } from '../../core/db/transaction';
import { isUniqueViolation } from '../../core/db/violations';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { keysetAfter, pageSize, toConnection, encodeCursor, type Connection, type PageArgs } from '../../core/pagination';
import { MAX_PRICE } from '../../core/money';
import { Collection, CollectionProduct, Product, ProductStatus, ProductVariant, type ProductView } from './catalog.entity';
import { addCollectionProducts, productIdsOfCollection, setVariantPrice } from './catalog.sql';
import type { CollectionCreateInput, ProductCreateInput, ProductUpdateInput } from './catalog.types';

export const SKU_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const COLLECTION_CODE_SHAPE = /^[A-Z0-9][A-Z0-9_-]{1,63}$/;
const MAX_DESCRIPTION = 10_000;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export class CatalogService {
  /** ADMIN: a product with its variants, in the collections named. */
  async createProduct(ctx: ServiceContext, input: ProductCreateInput): Promise<Result<Product>> {
    requireAdmin(ctx);
    const valid = validateProduct(input);
    if (!valid.ok) return valid;
    const collectionCodes = [...new Set((input.collectionCodes ?? []).map((c) => c.trim().toUpperCase()))];
    const collections = collectionCodes.length ? await ctx.em.find(Collection, { code: { $in: collectionCodes } }) : [];
    const missing = collectionCodes.findIndex((code) => !collections.some((c) => c.code === code));
    if (missing >= 0) return fail(ErrorCode.INVALID_INPUT, `No collection has the code ${collectionCodes[missing]}.`, ['input', 'collectionCodes', missing]);
    try {
      return await transactional(ctx, async (tx) => {
        const created = tx.em.create(Product, { title: input.title.trim(), description: input.description?.trim() || undefined });
        for (const collection of collections) tx.em.create(CollectionProduct, { collection: collection.id, product: created });
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
        const index = Math.max(
          0,
          skus.findIndex((sku) => taken.some((t) => t.sku === sku)),
        );
        return fail(ErrorCode.INVALID_INPUT, `The SKU ${skus[index]} is already in the catalog.`, ['input', 'variants', index, 'sku']);
      }
      throw err;
    }
  }

  /**
   * A page of products as plain rows: listing builds no managed entities (see `variantsByProduct`).
   * ACTIVE products only, unless staff ask for a status; `collectionCode` narrows to one collection.
   */
  async products(
    ctx: ServiceContext,
    args: PageArgs & { query?: string | null; collectionCode?: string | null; status?: ProductStatus | null },
  ): Promise<Connection<ProductView>> {
    const limit = pageSize(args);
    const status = args.status && ctx.actor.kind === 'staff' ? args.status : ProductStatus.ACTIVE;
    const where: FilterQuery<Product>[] = [keysetAfter(args.after, 'asc') as FilterQuery<Product>, { status }];
    const collectionCode = args.collectionCode?.trim().toUpperCase();
    if (collectionCode) where.push({ id: { $in: await productIdsOfCollection(ctx.em, collectionCode) } });
    const query = args.query?.trim();
    if (query) {
      const pattern = `%${escapeLike(query)}%`;
      const bySku = await ctx.em.find(ProductVariant, { sku: { $ilike: pattern } }, { fields: ['product'], limit: 500 });
      where.push({ $or: [{ title: { $ilike: pattern } }, { id: { $in: bySku.map((v) => v.product.id) } }] });
    }
    const rows = await ctx.em
      .createQueryBuilder(Product)
      .select(['id', 'title', 'description', 'status', 'createdAt'])
      .where({ $and: where })
      .orderBy({ createdAt: 'asc', id: 'asc' })
      .limit(limit + 1)
      .execute<ProductView[]>('all');
    return toConnection(rows, limit, (p) => encodeCursor(p.createdAt, p.id));
  }

  /** ADMIN: title, description, status. Archiving takes the product out of browse and carts; orders keep it. */
  async updateProduct(ctx: ServiceContext, id: string, input: ProductUpdateInput): Promise<Result<Product>> {
    requireAdmin(ctx);
    if (!isUuid(id)) return fail(ErrorCode.NOT_FOUND, 'No product has this id.', ['id']);
    const title = input.title?.trim();
    if (input.title !== undefined && input.title !== null && (!title || title.length > 300)) {
      return fail(ErrorCode.INVALID_INPUT, 'A product needs a title (at most 300 characters).', ['input', 'title']);
    }
    if (input.description && input.description.length > MAX_DESCRIPTION) {
      return fail(ErrorCode.INVALID_INPUT, `A description has at most ${MAX_DESCRIPTION} characters.`, ['input', 'description']);
    }
    return transactional(ctx, async (tx) => {
      const product = await tx.em.findOne(Product, { id });
      if (!product) return fail(ErrorCode.NOT_FOUND, 'No product has this id.', ['id']);
      if (title) product.title = title;
      if (input.description !== undefined) product.description = input.description?.trim() || undefined;
      if (input.status && input.status !== product.status) {
        product.status = input.status;
        // Carts and checkout read variants, not products: the variants carry the status with them.
        await tx.em.nativeUpdate(ProductVariant, { product: product.id }, { archived: input.status === ProductStatus.ARCHIVED });
      }
      await tx.em.flush();
      return ok(product);
    });
  }

  /** ADMIN: a new price. Carts show it at once (they price live); placed orders keep the price they copied. */
  async setPrice(ctx: ServiceContext, sku: string, priceAmount: number): Promise<Result<ProductVariant>> {
    requireAdmin(ctx);
    if (!Number.isInteger(priceAmount) || priceAmount <= 0 || priceAmount > MAX_PRICE) {
      return fail(ErrorCode.INVALID_INPUT, `A price is a whole number of minor units from 1 to ${MAX_PRICE}.`, ['priceAmount']);
    }
    const variant = await setVariantPrice(ctx.em, sku.trim(), priceAmount);
    return variant ? ok(variant) : fail(ErrorCode.NOT_FOUND, `No product variant has the SKU ${sku}.`, ['sku']);
  }

  async createCollection(ctx: ServiceContext, input: CollectionCreateInput): Promise<Result<Collection>> {
    requireAdmin(ctx);
    const code = input.code.trim().toUpperCase();
    const title = input.title.trim();
    if (!COLLECTION_CODE_SHAPE.test(code)) return fail(ErrorCode.INVALID_INPUT, 'A collection code is 2–64 letters, digits, "-" or "_".', ['input', 'code']);
    if (!title || title.length > 200) return fail(ErrorCode.INVALID_INPUT, 'A collection needs a title (at most 200 characters).', ['input', 'title']);
    try {
      return await transactional(ctx, async (tx) => {
        const collection = tx.em.create(Collection, { code, title });
        await tx.em.flush();
        const added = await this.addToCollection(tx, collection, input.productIds ?? [], ['input', 'productIds']);
        return added.ok ? ok(collection) : added;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return fail(ErrorCode.INVALID_INPUT, `The collection code ${code} is taken.`, ['input', 'code']);
      throw err;
    }
  }

  addProductsToCollection(ctx: ServiceContext, code: string, productIds: string[]): Promise<Result<Collection>> {
    requireAdmin(ctx);
    return transactional(ctx, async (tx) => {
      const collection = await tx.em.findOne(Collection, { code: code.trim().toUpperCase() });
      if (!collection) return fail(ErrorCode.NOT_FOUND, 'No collection has this code.', ['code']);
      const added = await this.addToCollection(tx, collection, productIds, ['productIds']);
      return added.ok ? ok(collection) : added;
    });
  }

  collections(ctx: ServiceContext): Promise<Collection[]> {
    return ctx.em.find(Collection, {}, { orderBy: { code: 'asc' } });
  }

  /** Products already in the collection stay; every id must name a product. */
  private async addToCollection(tx: ServiceContext, collection: Collection, productIds: string[], path: string[]): Promise<Result<void>> {
    const ids = [...new Set(productIds)];
    if (!ids.length) return ok();
    if (ids.length > 500) return fail(ErrorCode.INVALID_INPUT, 'At most 500 products at once.', path);
    const bad = ids.findIndex((id) => !isUuid(id));
    const found = bad >= 0 ? [] : await tx.em.find(Product, { id: { $in: ids } }, { fields: ['id'] });
    const missing = bad >= 0 ? bad : ids.findIndex((id) => !found.some((p) => p.id === id));
    if (missing >= 0) return fail(ErrorCode.NOT_FOUND, 'No product has this id.', [...path, missing]);
    await addCollectionProducts(tx.em, collection.id, ids);
    return ok();
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
