export { Staff } from './staff.entity';
export { staffService } from './staff.service';
export { createStaffLoaders } from './staff.loader';
export { StaffResolver } from './staff.resolver';
