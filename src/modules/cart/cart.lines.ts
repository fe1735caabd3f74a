import type { Channel } from '../../core/channel';
import type { TxContext } from '../../core/context';
import { ErrorCode, UserError } from '../../core/errors';
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
  tx: TxContext,
  inputs: CartLineInput[],
  path: (string | number)[],
  found?: ProductVariant[],
): Promise<{ ok: true; lines: ResolvedLine[] } | { ok: false; errors: UserError[] }> {
  const errors: UserError[] = [];
  const max = tx.config.maxLineQuantity;
  if (inputs.length > MAX_LINES_PER_REQUEST) {
    return { ok: false, errors: [new UserError(ErrorCode.INVALID_INPUT, `At most ${MAX_LINES_PER_REQUEST} lines per request.`, path)] };
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
  return errors.length ? { ok: false, errors } : { ok: true, lines };
}

/** The variant ids and SKUs a request names (ids that are no UUID can match nothing). */
export function requested(inputs: CartLineInput[]): { ids: string[]; skus: string[] } {
  return {
    ids: inputs.map((l) => l.variantId).filter((id): id is string => !!id && isUuid(id)),
    skus: inputs.map((l) => l.sku?.trim()).filter((sku): sku is string => !!sku),
  };
}

interface LineColumns {
  line_id: string | null;
  line_customer_id: string | null;
  line_quantity: number;
  line_channel: Channel | null;
  line_created_at: Date | null;
}

/**
 * In one statement, the cart's lines with their variants (in the order they were added) and the
 * variants a request names: all that adding lines reads before it changes anything.
 */
export async function linesAndRequestedVariants(
  tx: TxContext,
  cartId: string,
  inputs: CartLineInput[],
): Promise<{ lines: CartLine[]; variants: ProductVariant[] }> {
  const { ids, skus } = requested(inputs);
  const inList = (column: string, values: string[]) => (values.length ? [`${column} in (${values.map(() => '?').join(', ')})`] : []);
  const wanted = [...inList('v.id', ids), ...inList('v.sku', skus)];
  const requestedVariants = wanted.length
    ? `union all
       select null, null, null, null, null, v.* from product_variant v where ${wanted.join(' or ')}`
    : '';
  const rows = await tx.em.execute<(Record<string, unknown> & LineColumns)[]>(
    `select l.id as line_id, l.customer_id as line_customer_id, l.quantity as line_quantity, l.channel as line_channel, l.created_at as line_created_at, v.*
       from cart_line l join product_variant v on v.id = l.variant_id
      where l.cart_id = ?
     ${requestedVariants}
      order by line_created_at, line_id`,
    [cartId, ...ids, ...skus],
  );
  const lines: CartLine[] = [];
  const variants: ProductVariant[] = [];
  for (const { line_id, line_customer_id, line_quantity, line_channel, line_created_at, ...variantRow } of rows) {
    // The variant first: the line's reference to it then is the loaded variant itself.
    const variant = tx.em.map(ProductVariant, variantRow);
    variants.push(variant);
    if (line_id === null) continue;
    const row = { id: line_id, cart_id: cartId, customer_id: line_customer_id, variant_id: variant.id, quantity: line_quantity, channel: line_channel, created_at: line_created_at };
    lines.push(tx.em.map(CartLine, row));
  }
  return { lines, variants };
}

/** The cart's lines with their variants (one statement), oldest first: whoever reads lines prices them next. */
export function readLines(tx: TxContext, cartId: string): Promise<CartLine[]> {
  return tx.em.find(CartLine, { cart: cartId }, { orderBy: { createdAt: 'asc', id: 'asc' }, populate: ['variant'] });
}
