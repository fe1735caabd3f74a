import { StaffRole } from '../../core/auth/actor';
import { requireStaff } from '../../core/auth/guards';
import { isUuid } from '../../core/loader';
import type { RequestContext, ServiceContext } from '../../core/context';
import { invalidCredentials, normalizeEmail, passwordMatches, validateCredentials } from '../../core/auth/credentials';
import { hashPassword } from '../../core/auth/password';
import { SessionSubject } from '../../core/auth/session.entity';
import { issueToken } from '../../core/auth/sessions';
import { luhnValid, parseEmail, parsePhone } from '../../core/contact';
import { isUniqueViolation } from '../../core/db/violations';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { transactional } from '../../core/db/transaction';
import { cartService } from '../cart';
import { loyaltyService } from '../loyalty';
import { attachGuestOrders } from '../order';
import { outbox, WebhookTopic } from '../outbox';
import { Customer, CustomerAccess } from './customer.entity';
import { customersMatching, nextLoyaltyNumber, recordAccess } from './customer.sql';
import type { CustomerSession, CustomerSignUpInput } from './customer.types';

/** What the till may type or scan to find a customer: shorter queries would match by chance. */
export const MIN_LOOKUP_LENGTH = 5;

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

  /**
   * The account, its loyalty account and number, and its first session in one transaction. Guest
   * orders placed with this email join the account in the same transaction, so they are attached
   * exactly once (a second account cannot be made with the email).
   */
  private async createAccount(ctx: ServiceContext, input: CustomerSignUpInput): Promise<Result<CustomerSession>> {
    const valid = validateCredentials(input.email, input.password);
    if (!valid.ok) return valid;
    const name = input.name?.trim() || undefined;
    if (name && name.length > 200) return fail(ErrorCode.INVALID_INPUT, 'A name has at most 200 characters.', ['input', 'name']);
    const passwordHash = await hashPassword(input.password);
    try {
      return await transactional(ctx, async (tx) => {
        const email = normalizeEmail(input.email);
        const customer = tx.em.create(Customer, {
          email,
          passwordHash,
          name,
          loyaltyNumber: await nextLoyaltyNumber(tx.em),
          language: tx.config.outbox.defaultLanguage,
        });
        loyaltyService.openAccount(tx, customer.id);
        outbox.record(tx, {
          type: WebhookTopic.CUSTOMER_CREATED,
          subjectId: customer.id,
          data: { customer: { id: customer.id, email: customer.email, name: customer.name ?? null, createdAt: customer.createdAt } },
        });
        await tx.em.flush();
        await attachGuestOrders(tx.em, customer.id, email);
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
    const customer = await ctx.em.findOne(Customer, { email: normalizeEmail(email), erasedAt: null }, { populate: ['passwordHash'] });
    if (!(await passwordMatches(customer, password)) || !customer) return invalidCredentials();
    return ok(customer);
  }

  async openSession(ctx: ServiceContext, customer: Customer): Promise<CustomerSession> {
    const token = await issueToken(ctx.em, SessionSubject.CUSTOMER, customer.id, ctx.channel, ctx.config.tokenTtlHours);
    await ctx.em.flush();
    return { token, customer };
  }

  /** Staff only: find a customer to serve them at the counter. The read is recorded for audit. */
  async findByEmail(ctx: ServiceContext, email: string): Promise<Customer | null> {
    const staff = requireStaff(ctx);
    const customer = await ctx.em.findOne(Customer, { email: normalizeEmail(email), erasedAt: null });
    if (customer) await recordAccess(ctx.em, staff.staffId, [customer.id], 'customerByEmail');
    return customer;
  }

  /**
   * Staff only: what the till typed or scanned — an exact email, a phone number (any common
   * spelling of an E.164 number) or a loyalty number (its check digit must hold). Each customer
   * shown is recorded for audit.
   */
  async lookup(ctx: ServiceContext, raw: string): Promise<Result<Customer[]>> {
    const staff = requireStaff(ctx);
    const text = raw.trim();
    if (text.length < MIN_LOOKUP_LENGTH || text.length > 254) {
      return fail(ErrorCode.INVALID_INPUT, `A lookup is an email, phone or loyalty number of ${MIN_LOOKUP_LENGTH} to 254 characters.`, ['query']);
    }
    const digits = text.replace(/[\s-]/g, '');
    const keys = {
      email: text.includes('@') ? parseEmail(text) : undefined,
      phone: parsePhone(text),
      loyaltyNumber: /^\d+$/.test(digits) && luhnValid(digits) ? digits : undefined,
    };
    if (!keys.email && !keys.phone && !keys.loyaltyNumber) return ok([]);
    const customers = await customersMatching(ctx.em, keys);
    await recordAccess(
      ctx.em,
      staff.staffId,
      customers.map((c) => c.id),
      'customerLookup',
    );
    return ok(customers);
  }

  /** ADMIN: who read this customer's profile, newest first. */
  async accessLog(ctx: ServiceContext, customerId: string, first = 50): Promise<CustomerAccess[]> {
    requireStaff(ctx, { roles: [StaffRole.ADMIN] });
    if (!isUuid(customerId)) return [];
    return ctx.em.find(CustomerAccess, { customer: customerId }, { orderBy: { at: 'desc', id: 'desc' }, limit: Math.min(Math.max(first, 1), 500) });
  }
}

export const customerService = new CustomerService();
