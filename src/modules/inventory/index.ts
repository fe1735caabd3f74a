export { InventoryMovement, MovementKind, StockLevel } from './inventory.entity';
export { inventoryService, type StockChange, type StockShortage } from './inventory.service';
export { createInventoryLoaders, type StockRow } from './inventory.loader';
export { StockAvailabilityResolver, VariantStockResolver } from './inventory.resolver';
