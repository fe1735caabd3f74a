export { canShip, Location, LocationKind } from './location.entity';
export { locationService } from './location.service';
export { createLocationLoaders } from './location.loader';
export { LocationResolver } from './location.resolver';
