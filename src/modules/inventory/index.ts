export { InventoryMovement, MovementKind, StockLevel, StockTransfer, StockTransferLine, StockTransferStatus } from './inventory.entity';
export { inventoryService, type StockChange, type StockShortage } from './inventory.service';
export { createInventoryLoaders, type StockRow } from './inventory.loader';
export { StockAvailabilityResolver, StockTransferLineResolver, StockTransferResolver, VariantStockResolver } from './inventory.resolver';
export { transferService } from './transfer/transfer.service';
