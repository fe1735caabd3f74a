import { LocationKind } from '../modules/location';

/** The demo catalog: three pickup stores, one warehouse, ten products of five variants each. */
export const DEMO_LOCATIONS = [
  { code: 'DOWNTOWN', name: 'Downtown Store', kind: LocationKind.STORE, pickupEnabled: true },
  { code: 'RIVERSIDE', name: 'Riverside Mall Store', kind: LocationKind.STORE, pickupEnabled: true },
  { code: 'AIRPORT', name: 'Airport Kiosk', kind: LocationKind.STORE, pickupEnabled: true },
  { code: 'WAREHOUSE', name: 'Central Warehouse', kind: LocationKind.WAREHOUSE, pickupEnabled: false },
];

const SIZES = ['XS', 'S', 'M', 'L', 'XL'];
const COLORS = ['Black', 'White', 'Navy', 'Olive', 'Red'];

const PRODUCTS: { title: string; sku: string; price: number; options: string[] }[] = [
  { title: 'Classic Tee', sku: 'TEE', price: 19_99, options: SIZES },
  { title: 'Everyday Hoodie', sku: 'HOODIE', price: 49_99, options: SIZES },
  { title: 'Denim Jacket', sku: 'DENIM', price: 89_00, options: SIZES },
  { title: 'Rain Shell', sku: 'RAIN', price: 120_00, options: SIZES },
  { title: 'Trail Runner', sku: 'RUNNER', price: 110_00, options: ['40', '41', '42', '43', '44'] },
  { title: 'Canvas Sneaker', sku: 'SNEAKER', price: 65_00, options: ['40', '41', '42', '43', '44'] },
  { title: 'Baseball Cap', sku: 'CAP', price: 24_00, options: COLORS },
  { title: 'Day Backpack', sku: 'PACK', price: 75_00, options: COLORS },
  { title: 'Steel Bottle', sku: 'BOTTLE', price: 18_50, options: COLORS },
  { title: 'Wool Socks', sku: 'SOCKS', price: 12_00, options: ['S', 'M', 'L', 'XL', 'XXL'] },
];

export const DEMO_PRODUCTS = PRODUCTS.map((p) => ({
  title: p.title,
  variants: p.options.map((option) => ({
    sku: `${p.sku}-${option.toUpperCase()}`,
    title: `${p.title} ${option}`,
    priceAmount: p.price,
  })),
}));

/** Units on hand: plenty in the warehouse, a little (sometimes none) in each store. Deterministic. */
export function demoOnHand(locationIndex: number, variantIndex: number, kind: LocationKind): number {
  if (kind === LocationKind.WAREHOUSE) return 100;
  return (variantIndex * 7 + locationIndex * 3) % 11;
}

export const demoStaffEmail = (locationCode: string, role: 'associate' | 'manager') => `${role}.${locationCode.toLowerCase()}@example.com`;
export const DEMO_STAFF_PASSWORD = 'store-demo-pass';
