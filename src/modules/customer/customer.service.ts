import type { TxContext } from '../../core/context';
import { invalidCredentials, normalizeEmail, passwordMatches, validateCredentials } from '../../core/auth/credentials';
import { hashPassword } from '../../core/auth/password';
import { SessionSubject } from '../../core/auth/session.entity';
import { issueToken } from '../../core/auth/sessions';
import { isUniqueViolation } from '../../core/db/violations';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { loyaltyService } from '../loyalty/loyalty.service';
import { record, WebhookTopic } from '../outbox';
import { Customer } from './customer.entity';
import type { CustomerSession, CustomerSignUpInput } from './customer.types';

export class CustomerService {
  async signUp(ctx: TxContext, input: CustomerSignUpInput): Promise<Result<CustomerSession>> {
    const invalid = validateCredentials(input.email, input.password);
    if (invalid) return invalid;
    const name = input.name?.trim() || undefined;
    if (name && name.length > 200) return fail(ErrorCode.INVALID_INPUT, 'A name has at most 200 characters.', ['input', 'name']);
    const passwordHash = await hashPassword(input.password);
    try {
      return ok(
        await ctx.em.transactional(async (em) => {
          const customer = em.create(Customer, { email: normalizeEmail(input.email), passwordHash, name, language: ctx.config.outbox.defaultLanguage });
          loyaltyService.openAccount({ ...ctx, em }, customer.id);
          record({ em }, { type: WebhookTopic.CUSTOMER_CREATED, subjectId: customer.id, data: { customer: { id: customer.id, email: customer.email, name: customer.name ?? null, createdAt: customer.createdAt } } });
          await em.flush();
          const token = await issueToken(em, SessionSubject.CUSTOMER, customer.id, ctx.channel, ctx.config.tokenTtlHours);
          return { token, customer };
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err)) return fail(ErrorCode.EMAIL_TAKEN, 'An account with this email exists; sign in instead.', ['input', 'email']);
      throw err;
    }
  }

  /** Checks the password; opens no session (see `openSession`). */
  async authenticate(ctx: TxContext, email: string, password: string): Promise<Result<Customer>> {
    const customer = await ctx.em.findOne(Customer, { email: normalizeEmail(email) }, { populate: ['passwordHash'] });
    if (!(await passwordMatches(customer, password)) || !customer) return invalidCredentials();
    return ok(customer);
  }

  async openSession(ctx: TxContext, customer: Customer): Promise<CustomerSession> {
    const token = await issueToken(ctx.em, SessionSubject.CUSTOMER, customer.id, ctx.channel, ctx.config.tokenTtlHours);
    await ctx.em.flush();
    return { token, customer };
  }

  findByEmail(ctx: TxContext, email: string): Promise<Customer | null> {
    return ctx.em.findOne(Customer, { email: normalizeEmail(email) });
  }
}

export const customerService = new CustomerService();
