import { requireStaff } from '../../core/auth/guards';
import type { RequestContext, ServiceContext } from '../../core/context';
import { invalidCredentials, normalizeEmail, passwordMatches, validateCredentials } from '../../core/auth/credentials';
import { hashPassword } from '../../core/auth/password';
import { SessionSubject } from '../../core/auth/session.entity';
import { issueToken } from '../../core/auth/sessions';
import { isUniqueViolation } from '../../core/db/violations';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { transactional } from '../../core/db/transaction';
import { cartService } from '../cart';
import { loyaltyService } from '../loyalty';
import { Customer } from './customer.entity';
import type { CustomerSession, CustomerSignUpInput } from './customer.types';

export class CustomerService {
  /**
   * Opens an account and a session (throttled per address); a guest cart given along becomes the
   * new customer's cart.
   *
   * EMAIL_TAKEN does tell that an email is registered; it stays, because a person who already
   * has an account must be told to sign in, and a success answers with a session token, so no
   * answer could look the same either way. What bounds the probing is the limit on sign-ups per
   * address (SignInThrottle.signUp), which counts every EMAIL_TAKEN; and the hash is computed
   * before the insert, so a taken email answers no faster than a new one.
   */
  signUp(ctx: RequestContext, input: CustomerSignUpInput, cartId?: string | null): Promise<Result<CustomerSession>> {
    return ctx.signInThrottle.signUp(ctx.clientAddress, async () => {
      if (cartId) {
        const mergeable = await cartService.checkMergeable(ctx, cartId);
        if (!mergeable.ok) return mergeable;
      }
      const result = await this.createAccount(ctx, input);
      if (result.ok && cartId) await cartService.mergeGuestCart(ctx, result.value.customer.id, cartId);
      return result;
    });
  }

  /**
   * Checks the password (throttled per email and address) and opens a session. A guest cart
   * given along is merged first: a cart that cannot be merged fails the sign-in, changing nothing.
   */
  async signIn(ctx: RequestContext, email: string, password: string, cartId?: string | null): Promise<Result<CustomerSession>> {
    const customer = await ctx.signInThrottle.attempt('customer', email, ctx.clientAddress, () => this.authenticate(ctx, email, password));
    if (!customer.ok) return customer;
    if (cartId) {
      const merged = await cartService.mergeGuestCart(ctx, customer.value.id, cartId);
      if (!merged.ok) return merged;
    }
    return ok(await this.openSession(ctx, customer.value));
  }

  private async createAccount(ctx: ServiceContext, input: CustomerSignUpInput): Promise<Result<CustomerSession>> {
    const valid = validateCredentials(input.email, input.password);
    if (!valid.ok) return valid;
    const name = input.name?.trim() || undefined;
    if (name && name.length > 200) return fail(ErrorCode.INVALID_INPUT, 'A name has at most 200 characters.', ['input', 'name']);
    const passwordHash = await hashPassword(input.password);
    try {
      return await transactional(ctx, async (tx) => {
        const customer = tx.em.create(Customer, { email: normalizeEmail(input.email), passwordHash, name });
        loyaltyService.openAccount(tx, customer.id);
        await tx.em.flush();
        const token = await issueToken(tx.em, SessionSubject.CUSTOMER, customer.id, tx.channel, tx.config.tokenTtlHours);
        return ok({ token, customer });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return fail(ErrorCode.EMAIL_TAKEN, 'An account with this email exists; sign in instead.', ['input', 'email']);
      throw err;
    }
  }

  /** Checks the password; opens no session (see `openSession`). */
  async authenticate(ctx: ServiceContext, email: string, password: string): Promise<Result<Customer>> {
    const customer = await ctx.em.findOne(Customer, { email: normalizeEmail(email) }, { populate: ['passwordHash'] });
    if (!(await passwordMatches(customer, password)) || !customer) return invalidCredentials();
    return ok(customer);
  }

  async openSession(ctx: ServiceContext, customer: Customer): Promise<CustomerSession> {
    const token = await issueToken(ctx.em, SessionSubject.CUSTOMER, customer.id, ctx.channel, ctx.config.tokenTtlHours);
    await ctx.em.flush();
    return { token, customer };
  }

  /** Staff only: find a customer to serve them at the counter. */
  findByEmail(ctx: ServiceContext, email: string): Promise<Customer | null> {
    requireStaff(ctx);
    return ctx.em.findOne(Customer, { email: normalizeEmail(email) });
  }
}

export const customerService = new CustomerService();
