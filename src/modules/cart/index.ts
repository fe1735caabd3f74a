export { Cart, CartLine, CartStatus, FulfillmentMethod } from './cart.entity';
export { assertCartAccess, cartService } from './cart.service';
export { cartToPrice, priceLockedCart } from './cart.pricing';
export { createCartLoaders } from './cart.loader';
export { CartFulfillmentResolver, CartLineResolver, CartResolver, CustomerCartResolver } from './cart.resolver';
export { lockCart, type LockedCart } from './cart.sql';
export { resolveLineInputs } from './cart.lines';
export { CartLineInput } from './cart.types';
