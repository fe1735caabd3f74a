export { Customer } from './customer.entity';
export { customerService } from './customer.service';
export { createCustomerLoaders } from './customer.loader';
export { CustomerResolver } from './customer.resolver';
