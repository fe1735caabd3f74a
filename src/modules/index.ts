import type { NonEmptyArray } from 'type-graphql';
import { Session } from '../core/auth/session.entity';
import { Product, ProductResolver, ProductVariant, ProductVariantResolver } from './catalog';
import { Customer, CustomerResolver } from './customer';
import { InventoryMovement, StockAvailabilityResolver, StockLevel, VariantStockResolver } from './inventory';
import { Location, LocationResolver } from './location';
import { Staff, StaffResolver } from './staff';

/** Every table the service owns. */
export const entities = [Session, Location, Product, ProductVariant, StockLevel, InventoryMovement, Customer, Staff];

/** Every resolver of the public API. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  LocationResolver,
  ProductResolver,
  ProductVariantResolver,
  VariantStockResolver,
  StockAvailabilityResolver,
  CustomerResolver,
  StaffResolver,
];
