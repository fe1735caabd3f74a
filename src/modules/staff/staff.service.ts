import { requireAdmin } from '../../core/auth/guards';
import { Channel } from '../../core/channel';
import type { RequestContext, ServiceContext } from '../../core/context';
import { StaffRole } from '../../core/auth/actor';
import { invalidCredentials, normalizeEmail, passwordMatches, validateCredentials } from '../../core/auth/credentials';
import { hashPassword, verifyPassword } from '../../core/auth/password';
import { SessionSubject } from '../../core/auth/session.entity';
import { issueToken } from '../../core/auth/sessions';
import { isUniqueViolation } from '../../core/db/violations';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { transactional } from '../../core/db/transaction';
import { Location } from '../location/location.entity';
import { Staff } from './staff.entity';
import type { StaffCreateInput } from './staff.types';

export class StaffService {
  /** Checks the password (throttled per email and address) and opens a session. */
  signIn(ctx: RequestContext, email: string, password: string): Promise<Result<{ token: string; staff: Staff }>> {
    return ctx.signInThrottle.attempt('staff', email, ctx.clientAddress, () => this.authenticate(ctx, email, password));
  }

  private async authenticate(ctx: ServiceContext, email: string, password: string): Promise<Result<{ token: string; staff: Staff }>> {
    const staff = await ctx.em.findOne(Staff, { email: normalizeEmail(email) }, { populate: ['passwordHash'] });
    if (!(await passwordMatches(staff, password)) || !staff) return invalidCredentials();
    // Staff always act at the counter: their sessions are POS, whatever the client says.
    const token = await issueToken(ctx.em, SessionSubject.STAFF, staff.id, Channel.POS, ctx.config.tokenTtlHours);
    await ctx.em.flush();
    return ok({ token, staff });
  }

  /** ADMIN: a staff account. */
  async create(ctx: ServiceContext, input: StaffCreateInput): Promise<Result<Staff>> {
    requireAdmin(ctx);
    const valid = validateCredentials(input.email, input.password);
    if (!valid.ok) return valid;
    let location: Location | null = null;
    if (input.role === StaffRole.ADMIN) {
      if (input.locationId) return fail(ErrorCode.INVALID_INPUT, 'An ADMIN works in every store: leave locationId empty.', ['input', 'locationId']);
    } else {
      if (!input.locationId) return fail(ErrorCode.INVALID_INPUT, `A ${input.role} works in one store: give its locationId.`, ['input', 'locationId']);
      location = isUuid(input.locationId) ? await ctx.em.findOne(Location, { id: input.locationId }) : null;
      if (!location) return fail(ErrorCode.NOT_FOUND, 'No location has this id.', ['input', 'locationId']);
    }
    const passwordHash = await hashPassword(input.password);
    // Written in its own fork: a refused insert must not stay queued in the request's EntityManager.
    try {
      return await transactional(ctx, async (tx) =>
        ok(tx.em.create(Staff, { email: normalizeEmail(input.email), passwordHash, role: input.role, location: location?.id })),
      );
    } catch (err) {
      if (isUniqueViolation(err)) return fail(ErrorCode.EMAIL_TAKEN, 'A staff account with this email exists.', ['input', 'email']);
      throw err;
    }
  }

  /**
   * The emails of staff (of the given roles, or all) whose password is `password`. Every hash is
   * checked (salted hashes allow no shortcut), through the hashing pool: for start-up, not requests.
   */
  async emailsWithPassword(ctx: ServiceContext, password: string, roles?: StaffRole[]): Promise<string[]> {
    const staff = await ctx.em.find(Staff, roles ? { role: { $in: roles } } : {}, { fields: ['email', 'passwordHash'], orderBy: { email: 'asc' } });
    const matches = await Promise.all(staff.map(async (s) => ((await verifyPassword(password, s.passwordHash)) ? s.email : undefined)));
    return matches.filter((email): email is string => email !== undefined);
  }

  /** Creates the first ADMIN when there is none (first start). Returns true when it did. */
  async ensureAdmin(ctx: ServiceContext, email: string, password: string): Promise<boolean> {
    if ((await ctx.em.count(Staff, { role: StaffRole.ADMIN })) > 0) return false;
    ctx.em.create(Staff, { email: normalizeEmail(email), passwordHash: await hashPassword(password), role: StaffRole.ADMIN });
    await ctx.em.flush();
    return true;
  }
}

export const staffService = new StaffService();
