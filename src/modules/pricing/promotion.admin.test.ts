import { StaffRole } from '../../core/auth/actor';
import { aCustomer, anAdmin, aProduct, aStaff, aStore, sqlNumber } from '../../../test/support/fixtures';
import {
  PromotionCreateDocument,
  PromotionDeactivateDocument,
  PromotionsDocument,
  PromotionUpdateDocument,
  type PromotionInput,
} from '../../../test/support/generated/graphql';
import { errorCodes, TestApp, unique } from '../../../test/support/harness';

/** Promotions are managed by ADMIN, read by staff; bad input is refused whole. */
let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await TestApp.start();
  admin = (await anAdmin(t)).token;
});
afterAll(() => t.close());

const aCode = () =>
  unique('P')
    .replace(/[^A-Z0-9_-]/g, '')
    .slice(0, 60);

describe('promotionCreate, promotionUpdate, promotionDeactivate, promotions', () => {
  it('creates, lists, updates and deactivates a promotion', async () => {
    const [variant] = await aProduct(t);
    const code = aCode();
    const input: PromotionInput = {
      title: 'Ten off',
      code: code.toLowerCase(),
      amountOff: 10_00,
      minSubtotal: 50_00,
      skus: [variant.sku],
      channels: ['WEB', 'WEB'],
      usageLimit: 3,
      perCustomerLimit: 1,
      minTier: 'SILVER',
    };
    const { promotionCreate } = await t.data(PromotionCreateDocument, { input }, { token: admin });
    expect(promotionCreate.userErrors).toEqual([]);
    const created = promotionCreate.promotion!;
    expect(created).toMatchObject({
      code,
      amountOff: { amount: 10_00 },
      minSubtotal: { amount: 50_00 },
      percentOff: null,
      channels: ['WEB'],
      timesUsed: 0,
      active: true,
      minTier: 'SILVER',
    });

    const store = await aStore(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    expect((await t.data(PromotionsDocument, {}, { token: associate.token })).promotions.map((p) => p.id)).toContain(created.id);

    const { promotionUpdate } = await t.data(
      PromotionUpdateDocument,
      { id: created.id, input: { title: 'Twenty percent', percentOff: 20, skus: [variant.sku] } },
      { token: admin },
    );
    expect(promotionUpdate.promotion).toMatchObject({ title: 'Twenty percent', percentOff: 20, amountOff: null, code: null, usageLimit: null, channels: [] });

    const { promotionDeactivate } = await t.data(PromotionDeactivateDocument, { id: created.id }, { token: admin });
    expect(promotionDeactivate.promotion!.active).toBe(false);
    expect((await t.data(PromotionsDocument, {}, { token: admin })).promotions.map((p) => p.id)).not.toContain(created.id);
    expect((await t.data(PromotionsDocument, { active: false }, { token: admin })).promotions.map((p) => p.id)).toContain(created.id);
  });

  const later = new Date(Date.now() + 3600_000).toISOString();
  const earlier = new Date(Date.now() - 3600_000).toISOString();
  it.each([
    ['a percent of 0', { percentOff: 0 }, 'percentOff'],
    ['a percent above 100', { percentOff: 101 }, 'percentOff'],
    ['both percentOff and amountOff', { percentOff: 10, amountOff: 100 }, 'amountOff'],
    ['neither percentOff nor amountOff', {}, 'percentOff'],
    ['a negative amount', { amountOff: -5 }, 'amountOff'],
    ['a negative minimum', { percentOff: 10, minSubtotal: -1 }, 'minSubtotal'],
    ['endsAt before startsAt', { percentOff: 10, startsAt: later, endsAt: earlier }, 'endsAt'],
    ['an unknown SKU', { percentOff: 10, skus: ['NO-SUCH-SKU-AT-ALL'] }, 'skus'],
    ['an unknown collection', { percentOff: 10, collectionCodes: ['NO-SUCH-COLLECTION'] }, 'collectionCodes'],
    ['a usage limit of 0', { percentOff: 10, usageLimit: 0 }, 'usageLimit'],
    ['a malformed code', { percentOff: 10, code: 'a b' }, 'code'],
  ])('refuses %s with INVALID_INPUT, saving nothing', async (_case, override, field) => {
    const title = unique('Bad');
    const { promotionCreate } = await t.data(PromotionCreateDocument, { input: { title, ...override } }, { token: admin });
    expect(promotionCreate.promotion).toBeNull();
    expect(promotionCreate.userErrors).toEqual([{ code: 'INVALID_INPUT', message: expect.any(String), field: expect.arrayContaining(['input', field]) }]);
    expect(await sqlNumber(t, 'select count(*) n from promotion where title = ?', [title])).toBe(0);
  });

  it('refuses a code taken by another promotion, in any case', async () => {
    const code = aCode();
    await t.data(PromotionCreateDocument, { input: { title: 'First', code, percentOff: 5 } }, { token: admin });
    const { promotionCreate } = await t.data(
      PromotionCreateDocument,
      { input: { title: 'Second', code: code.toLowerCase(), percentOff: 5 } },
      { token: admin },
    );
    expect(promotionCreate.userErrors).toEqual([{ code: 'INVALID_INPUT', message: expect.stringContaining(code), field: ['input', 'code'] }]);
    expect(await sqlNumber(t, 'select count(*) n from promotion where code = ?', [code])).toBe(1);
  });

  it('is ADMIN work; staff read, customers and guests do not', async () => {
    const store = await aStore(t);
    const manager = await aStaff(t, StaffRole.MANAGER, store);
    const customer = await aCustomer(t);
    const input = { title: 'Nope', percentOff: 5 };
    expect(errorCodes(await t.gql(PromotionCreateDocument, { input }, { token: manager.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.gql(PromotionCreateDocument, { input }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await t.gql(PromotionsDocument, {}, { token: customer.token }))).toEqual(['FORBIDDEN']);
  });
});
