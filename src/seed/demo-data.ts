import { LocationKind } from '../modules/location';

/**
 * The demo catalog: three pickup stores, one warehouse, ten products of five variants each. The
 * stores' addresses decide the tax of pickups and counter sales (see DEMO_TAX_RATES).
 */
export const DEMO_LOCATIONS = [
  {
    code: 'DOWNTOWN',
    name: 'Downtown Store',
    kind: LocationKind.STORE,
    pickupEnabled: true,
    address: { line1: '350 5th Ave', city: 'New York', postalCode: '10118', countryCode: 'US', regionCode: 'NY' },
  },
  {
    code: 'RIVERSIDE',
    name: 'Riverside Mall Store',
    kind: LocationKind.STORE,
    pickupEnabled: true,
    address: { line1: '1 Riverfront Plaza', city: 'Newark', postalCode: '07102', countryCode: 'US', regionCode: 'NJ' },
  },
  {
    code: 'AIRPORT',
    name: 'Airport Kiosk',
    kind: LocationKind.STORE,
    pickupEnabled: true,
    address: { line1: '1 World Way', city: 'Los Angeles', postalCode: '90045', countryCode: 'US', regionCode: 'CA' },
  },
  {
    code: 'WAREHOUSE',
    name: 'Central Warehouse',
    kind: LocationKind.WAREHOUSE,
    pickupEnabled: false,
    address: { line1: '100 Logistics Dr', city: 'Allentown', postalCode: '18106', countryCode: 'US', regionCode: 'PA' },
  },
];

/** State sales taxes of the demo stores' states (and Pennsylvania, where parcels to it are taxed). */
export const DEMO_TAX_RATES = [
  { countryCode: 'US', regionCode: 'NY', name: 'NY sales tax', rateBasisPoints: 400 },
  { countryCode: 'US', regionCode: 'NJ', name: 'NJ sales tax', rateBasisPoints: 663 },
  { countryCode: 'US', regionCode: 'CA', name: 'CA sales tax', rateBasisPoints: 725 },
  { countryCode: 'US', regionCode: 'PA', name: 'PA sales tax', rateBasisPoints: 600 },
];

/** One automatic promotion and one code (see the README's demo section). */
export const DEMO_PROMOTIONS = [
  { title: 'Socks: 20 % off two pairs or more', percentOff: 20, minSubtotal: 24_00, skus: ['SOCKS-S', 'SOCKS-M', 'SOCKS-L', 'SOCKS-XL', 'SOCKS-XXL'] },
  { title: 'Welcome: 10 % off a first order of 50.00 or more', code: 'WELCOME10', percentOff: 10, minSubtotal: 50_00, perCustomerLimit: 1 },
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
