// The migrations, oldest first. `npm run migration:create` regenerates this list.
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123161202 } from './Migration20261123161202';
import { Migration20261123161203AppendOnlyLedgers } from './Migration20261123161203AppendOnlyLedgers';
import { Migration20261123162233 } from './Migration20261123162233';
import { Migration20261123162234LoyaltyLedgerAppendOnly } from './Migration20261123162234LoyaltyLedgerAppendOnly';
import { Migration20261123163141 } from './Migration20261123163141';
import { Migration20261123163142OrderNumbers } from './Migration20261123163142OrderNumbers';
import { Migration20261123164533 } from './Migration20261123164533';
import { Migration20261125210742 } from './Migration20261125210742';
import { Migration20261125213647OrderLinesByOrder } from './Migration20261125213647OrderLinesByOrder';
import { Migration20261125221000SessionChangeNotify } from './Migration20261125221000SessionChangeNotify';
import { Migration20261201154522IdempotencyKeyScope } from './Migration20261201154522IdempotencyKeyScope';
import { Migration20261201160533 } from './Migration20261201160533';
import { Migration20261201163524 } from './Migration20261201163524';
import { Migration20261201165354 } from './Migration20261201165354';
import { Migration20261201173000PricesOffersTax } from './Migration20261201173000PricesOffersTax';
import { Migration20261201175902 } from './Migration20261201175902';

export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261123161202', class: Migration20261123161202 },
  { name: 'Migration20261123161203AppendOnlyLedgers', class: Migration20261123161203AppendOnlyLedgers },
  { name: 'Migration20261123162233', class: Migration20261123162233 },
  { name: 'Migration20261123162234LoyaltyLedgerAppendOnly', class: Migration20261123162234LoyaltyLedgerAppendOnly },
  { name: 'Migration20261123163141', class: Migration20261123163141 },
  { name: 'Migration20261123163142OrderNumbers', class: Migration20261123163142OrderNumbers },
  { name: 'Migration20261123164533', class: Migration20261123164533 },
  { name: 'Migration20261125210742', class: Migration20261125210742 },
  { name: 'Migration20261125213647OrderLinesByOrder', class: Migration20261125213647OrderLinesByOrder },
  { name: 'Migration20261125221000SessionChangeNotify', class: Migration20261125221000SessionChangeNotify },
  { name: 'Migration20261201154522IdempotencyKeyScope', class: Migration20261201154522IdempotencyKeyScope },
  { name: 'Migration20261201160533', class: Migration20261201160533 },
  { name: 'Migration20261201163524', class: Migration20261201163524 },
  { name: 'Migration20261201165354', class: Migration20261201165354 },
  { name: 'Migration20261201173000PricesOffersTax', class: Migration20261201173000PricesOffersTax },
  { name: 'Migration20261201175902', class: Migration20261201175902 },
];
