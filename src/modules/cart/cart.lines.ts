import type { ServiceContext } from '../../core/context';
import { ErrorCode, fail, ok, UserError, type Result } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { ProductVariant } from '../catalog/catalog.entity';
import { CartLine } from './cart.entity';
import type { CartLineInput } from './cart.types';

export interface ResolvedLine {
  variant: ProductVariant;
  quantity: number;
  /** Index in the request, for the userError's field path. */
  index: number;
}

export const MAX_LINES_PER_REQUEST = 100;

/**
 * Checks requested lines and finds their variants in one statement (none when `found` already
 * holds them). Every problem is reported (not only the first) with the path of the input field
 * at fault.
 */
export async function resolveLineInputs(
  tx: ServiceContext,
  inputs: CartLineInput[],
  path: (string | number)[],
  found?: ProductVariant[],
): Promise<Result<ResolvedLine[]>> {
  const errors: UserError[] = [];
  const max = tx.config.maxLineQuantity;
  if (inputs.length > MAX_LINES_PER_REQUEST) {
    return fail(ErrorCode.INVALID_INPUT, `At most ${MAX_LINES_PER_REQUEST} lines per request.`, path);
  }
  inputs.forEach((input, i) => {
    const bySku = input.sku !== undefined && input.sku !== null;
    const byId = input.variantId !== undefined && input.variantId !== null;
    if (bySku === byId) errors.push(new UserError(ErrorCode.INVALID_INPUT, 'Give exactly one of variantId and sku.', [...path, i]));
    if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > max) {
      errors.push(new UserError(ErrorCode.INVALID_QUANTITY, `A quantity is a whole number from 1 to ${max}.`, [...path, i, 'quantity']));
    }
  });
  if (errors.length) return { ok: false, errors };

  const { ids, skus } = requested(inputs);
  const variants = found ?? (await tx.em.find(ProductVariant, { $or: [{ id: { $in: ids } }, { sku: { $in: skus } }] }));
  const lines: ResolvedLine[] = [];
  inputs.forEach((input, i) => {
    const variant = input.variantId ? variants.find((v) => v.id === input.variantId) : variants.find((v) => v.sku === input.sku?.trim());
    if (variant?.archived) errors.push(new UserError(ErrorCode.PRODUCT_ARCHIVED, `${variant.sku} is no longer sold.`, [...path, i]));
    else if (variant) lines.push({ variant, quantity: input.quantity, index: i });
    else if (input.variantId) errors.push(new UserError(ErrorCode.NOT_FOUND, 'No product variant has this id.', [...path, i, 'variantId']));
    else errors.push(new UserError(ErrorCode.NOT_FOUND, `No product variant has the SKU ${input.sku}.`, [...path, i, 'sku']));
  });
  return errors.length ? { ok: false, errors } : ok(lines);
}

/** The variant ids and SKUs a request names (ids that are no UUID can match nothing). */
export function requested(inputs: CartLineInput[]): { ids: string[]; skus: string[] } {
  return {
    ids: inputs.map((l) => l.variantId).filter((id): id is string => !!id && isUuid(id)),
    skus: inputs.map((l) => l.sku?.trim()).filter((sku): sku is string => !!sku),
  };
}

/** The cart's lines with their variants (one statement), oldest first: whoever reads lines prices them next. */
export function readLines(tx: ServiceContext, cartId: string): Promise<CartLine[]> {
  return tx.em.find(CartLine, { cart: cartId }, { orderBy: { createdAt: 'asc', id: 'asc' }, populate: ['variant'] });
}
