import type { ServiceContext } from '../../core/context';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import type { Channel } from '../../core/channel';
import type { LoyaltyTier } from '../loyalty';
import { existingSkusAndCollections } from './pricing.sql';
import type { PromotionInput } from './pricing.types';

/** The columns of a promotion, checked and normalized from its input. */
export interface PromotionValues {
  title: string;
  code?: string;
  percentOff?: number;
  amountOff?: number;
  minSubtotal?: number;
  skus: string[];
  collectionCodes: string[];
  minTier?: LoyaltyTier;
  channels: Channel[];
  startsAt?: Date;
  endsAt?: Date;
  usageLimit?: number;
  perCustomerLimit?: number;
}

const CODE_SHAPE = /^[A-Z0-9][A-Z0-9_-]{2,63}$/;
const MAX_AMOUNT = 100_000_000_00;
const MAX_LIST = 500;

const wholeNumber = (value: number | null | undefined, min: number, max = MAX_AMOUNT): boolean =>
  value === null || value === undefined || (Number.isInteger(value) && value >= min && value <= max);

const present = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/**
 * Checks a promotion's input: its own shape first, then (one statement) that the SKUs and
 * collections it names exist. The first problem is returned, at its field.
 */
export async function validPromotion(ctx: ServiceContext, input: PromotionInput): Promise<Result<PromotionValues>> {
  const invalid = (message: string, ...field: (string | number)[]) => fail(ErrorCode.INVALID_INPUT, message, ['input', ...field]);
  const title = input.title.trim();
  if (!title || title.length > 200) return invalid('A promotion needs a title (at most 200 characters).', 'title');
  const code = input.code?.trim().toUpperCase() || undefined;
  if (code !== undefined && !CODE_SHAPE.test(code)) return invalid('A code is 3–64 letters, digits, "-" or "_".', 'code');
  const hasPercent = input.percentOff !== null && input.percentOff !== undefined;
  const hasAmount = input.amountOff !== null && input.amountOff !== undefined;
  if (hasPercent === hasAmount) return invalid('Give exactly one of percentOff and amountOff.', hasPercent ? 'amountOff' : 'percentOff');
  if (!wholeNumber(input.percentOff, 1, 100)) return invalid('percentOff is a whole number from 1 to 100.', 'percentOff');
  if (!wholeNumber(input.amountOff, 1)) return invalid('amountOff is a positive whole number of minor units.', 'amountOff');
  if (!wholeNumber(input.minSubtotal, 0)) return invalid('minSubtotal is a whole number of minor units, not negative.', 'minSubtotal');
  if (!wholeNumber(input.usageLimit, 1, 1_000_000_000)) return invalid('usageLimit is a whole number from 1.', 'usageLimit');
  if (!wholeNumber(input.perCustomerLimit, 1, 1_000_000)) return invalid('perCustomerLimit is a whole number from 1.', 'perCustomerLimit');
  if (input.startsAt && input.endsAt && input.endsAt <= input.startsAt) return invalid('endsAt must come after startsAt.', 'endsAt');
  const skus = [...new Set((input.skus ?? []).map((s) => s.trim()))];
  const collectionCodes = [...new Set((input.collectionCodes ?? []).map((c) => c.trim().toUpperCase()))];
  if (skus.length > MAX_LIST) return invalid(`At most ${MAX_LIST} SKUs.`, 'skus');
  if (collectionCodes.length > MAX_LIST) return invalid(`At most ${MAX_LIST} collections.`, 'collectionCodes');

  if (skus.length || collectionCodes.length) {
    const found = await existingSkusAndCollections(ctx.em, skus, collectionCodes);
    const sku = skus.findIndex((s) => !found.skus.includes(s));
    if (sku >= 0) return invalid(`No product variant has the SKU ${skus[sku]}.`, 'skus', sku);
    const collection = collectionCodes.findIndex((c) => !found.codes.includes(c));
    if (collection >= 0) return invalid(`No collection has the code ${collectionCodes[collection]}.`, 'collectionCodes', collection);
  }
  return ok({
    title,
    code,
    percentOff: present(input.percentOff),
    amountOff: present(input.amountOff),
    minSubtotal: present(input.minSubtotal),
    skus,
    collectionCodes,
    minTier: present(input.minTier),
    channels: [...new Set(input.channels ?? [])],
    startsAt: present(input.startsAt),
    endsAt: present(input.endsAt),
    usageLimit: present(input.usageLimit),
    perCustomerLimit: present(input.perCustomerLimit),
  });
}
