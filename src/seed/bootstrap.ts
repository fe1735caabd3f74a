import { SYSTEM } from '../core/auth/actor';
import { Channel } from '../core/channel';
import { ConfigError, DEFAULT_ADMIN_PASSWORD, type Config } from '../core/config';
import type { ServiceContext } from '../core/context';
import type { Orm } from '../core/db/orm';
import type { EventBus } from '../core/events';
import type { Logger } from '../core/logger';
import { StaffRole } from '../core/auth/actor';
import { transactional } from '../core/db/transaction';
import { ok, type Result } from '../core/errors';
import { catalogService, Product } from '../modules/catalog';
import { inventoryService, MovementKind } from '../modules/inventory';
import { Location, locationService } from '../modules/location';
import { pricingService } from '../modules/pricing';
import { staffService } from '../modules/staff';
import { DEMO_LOCATIONS, DEMO_PRODUCTS, DEMO_PROMOTIONS, DEMO_STAFF_PASSWORD, DEMO_TAX_RATES, demoOnHand, demoStaffEmail } from './demo-data';

/** First-start work: the first ADMIN, then the demo data when the database is empty. */
export async function bootstrap(orm: Orm, config: Config, log: Logger, events: EventBus): Promise<void> {
  const ctx: ServiceContext = { requestId: 'bootstrap', em: orm.em.fork(), actor: SYSTEM, channel: Channel.POS, config, log, events };
  if (await staffService.ensureAdmin(ctx, config.adminEmail, config.adminPassword)) {
    log.info('admin account created', { email: config.adminEmail });
    if (config.adminPassword === DEFAULT_ADMIN_PASSWORD) {
      log.warn(`ADMIN ACCOUNT ${config.adminEmail} HAS THE DEFAULT PASSWORD "${DEFAULT_ADMIN_PASSWORD}": set ADMIN_PASSWORD before exposing this service`);
    }
  }
  if (config.seedDemoData && (await ctx.em.count(Location)) === 0 && (await ctx.em.count(Product)) === 0) {
    const started = Date.now();
    await seedDemoData(ctx, config.demoStaffPassword ?? DEMO_STAFF_PASSWORD);
    log.info('demo data seeded', { ms: Date.now() - started, locations: DEMO_LOCATIONS.length, products: DEMO_PRODUCTS.length });
  }
  if (config.nodeEnv === 'production') await refusePublishedPasswords(ctx, log);
}

/**
 * Production refuses to start while any staff account can be signed into with a password
 * printed in the README: the demo staff's, or the development admin's default. Checked at every
 * start, since a database seeded in development may be the one promoted to production.
 */
async function refusePublishedPasswords(ctx: ServiceContext, log: Logger): Promise<void> {
  const started = Date.now();
  // Only the first admin can have the development default: staff created since had 8+ characters.
  const exposed = [
    ...(await staffService.emailsWithPassword(ctx, DEMO_STAFF_PASSWORD)),
    ...(await staffService.emailsWithPassword(ctx, DEFAULT_ADMIN_PASSWORD, [StaffRole.ADMIN])),
  ];
  log.info('staff passwords checked against the published ones', { ms: Date.now() - started });
  if (exposed.length === 0) return;
  throw new ConfigError(
    'NODE_ENV',
    `is production, and staff accounts still have a published demo password: ${exposed.join(', ')}. Give them new passwords or remove them, then start again.`,
  );
}

/** All or nothing: a crash half-way leaves an empty database, which the next start seeds again. */
async function seedDemoData(ctx: ServiceContext, staffPassword: string): Promise<void> {
  const seeded = await transactional(ctx, async (tx) => {
    const locations: Location[] = [];
    for (const input of DEMO_LOCATIONS) locations.push(expectOk(await locationService.create(tx, input)));
    for (const input of DEMO_PRODUCTS) expectOk(await catalogService.createProduct(tx, input));
    const variants = [
      ...(
        await catalogService.variantsBySku(
          tx,
          DEMO_PRODUCTS.flatMap((p) => p.variants.map((v) => v.sku)),
        )
      ).values(),
    ];
    const changes = locations.flatMap((location, li) =>
      variants.map((variant, vi) => ({
        locationId: location.id,
        variantId: variant.id,
        kind: MovementKind.ADJUSTMENT,
        onHandDelta: demoOnHand(li, vi, location.kind),
        reservedDelta: 0,
      })),
    );
    const applied = await inventoryService.apply(tx, changes, { create: true });
    if (!applied.ok) throw new Error('demo stock could not be set');
    for (const rate of DEMO_TAX_RATES) expectOk(await pricingService.setTaxRate(tx, rate));
    for (const promotion of DEMO_PROMOTIONS) expectOk(await pricingService.createPromotion(tx, promotion));
    for (const location of locations.filter((l) => l.pickupEnabled)) {
      expectOk(
        await staffService.create(tx, {
          email: demoStaffEmail(location.code, 'associate'),
          password: staffPassword,
          role: StaffRole.ASSOCIATE,
          locationId: location.id,
        }),
      );
      expectOk(
        await staffService.create(tx, {
          email: demoStaffEmail(location.code, 'manager'),
          password: staffPassword,
          role: StaffRole.MANAGER,
          locationId: location.id,
        }),
      );
    }
    return ok();
  });
  expectOk(seeded);
}

function expectOk<T>(result: Result<T, unknown>): T {
  if (!result.ok) throw new Error(`demo data rejected: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.value;
}
