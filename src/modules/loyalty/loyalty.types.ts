import { connectionType } from '../../core/pagination';
import { LoyaltyTransaction } from './loyalty.entity';

export const LoyaltyTransactionConnection = connectionType(LoyaltyTransaction, 'LoyaltyTransaction');
