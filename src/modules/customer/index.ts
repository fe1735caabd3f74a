export { ConsentPurpose, ConsentRecord, Customer, CustomerAccess, CustomerPreference, PasswordResetToken, SavedAddress } from './customer.entity';
export { customerService } from './customer.service';
export { customerProfileService } from './customer.profile';
export { customerAccountService } from './customer.account';
export { createCustomerLoaders } from './customer.loader';
export { CustomerResolver } from './customer.resolver';
export { nextLoyaltyNumber } from './customer.sql';
