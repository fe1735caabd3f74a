import { createHash, randomBytes } from 'node:crypto';
import { MAX_PASSWORD_LENGTH, passwordMatches, weakPassword } from '../../core/auth/credentials';
import { hashPassword } from '../../core/auth/password';
import { SessionSubject } from '../../core/auth/session.entity';
import { issueToken, revokeSubjectSessions } from '../../core/auth/sessions';
import { parseEmail } from '../../core/contact';
import type { RequestContext, ServiceContext } from '../../core/context';
import { transactional } from '../../core/db/transaction';
import { ErrorCode, fail, forbidden, ok, unauthenticated, type Result } from '../../core/errors';
import { cartService } from '../cart';
import { eraseOrderAddresses } from '../order';
import { ConsentRecord, Customer, CustomerPreference, PasswordResetToken, SavedAddress } from './customer.entity';
import { customerMessages } from './customer.messages';
import type { CustomerSession } from './customer.types';

/** How long a reset link works. */
export const RESET_TOKEN_MINUTES = 30;
/** A new link is not sent sooner than this after the last one (one inbox is not flooded). */
const RESET_RESEND_SECONDS = 60;

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new password follows sign-up's rules (length, not a common one). */
function checkNewPassword(password: string): Result<void> {
  if (password.length > MAX_PASSWORD_LENGTH) return fail(ErrorCode.INVALID_INPUT, `A password has at most ${MAX_PASSWORD_LENGTH} characters.`, ['password']);
  return weakPassword(password, ['password']);
}

const invalidToken = () => fail(ErrorCode.INVALID_TOKEN, 'This link has expired or was already used: ask for a new one.', ['token']);

export class CustomerAccountService {
  /**
   * Sends a reset link when the email belongs to a customer. The answer is the same whether it
   * does or not, so the mutation tells nobody which emails are registered.
   */
  async requestPasswordReset(ctx: ServiceContext, rawEmail: string): Promise<Result<void>> {
    const email = parseEmail(rawEmail);
    if (!email) return fail(ErrorCode.INVALID_INPUT, 'Enter a valid email address.', ['email']);
    return transactional(ctx, async (tx) => {
      const customer = await tx.em.findOne(Customer, { email, erasedAt: null });
      if (!customer) return ok();
      const recent = await tx.em.count(PasswordResetToken, { customer: customer.id, createdAt: { $gt: new Date(Date.now() - RESET_RESEND_SECONDS * 1000) } });
      if (recent) return ok();
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + RESET_TOKEN_MINUTES * 60_000);
      tx.em.create(PasswordResetToken, { customer: customer.id, tokenHash: sha256(token), expiresAt });
      customerMessages.passwordReset(tx, customer, token, expiresAt);
      await tx.em.flush();
      return ok();
    });
  }

  /**
   * Sets a new password with a reset token: the token is used up (atomically: of two uses, one
   * wins), every other link and every session of the customer end, and a new session opens.
   */
  async resetPassword(ctx: ServiceContext, token: string, password: string): Promise<Result<CustomerSession>> {
    const allowed = checkNewPassword(password);
    if (!allowed.ok) return allowed;
    if (token.length < 20 || token.length > 100) return invalidToken();
    const passwordHash = await hashPassword(password);
    return transactional(ctx, async (tx) => {
      const used = await tx.em.nativeUpdate(
        PasswordResetToken,
        { tokenHash: sha256(token), usedAt: null, expiresAt: { $gt: new Date() } },
        { usedAt: new Date() },
      );
      if (!used) return invalidToken();
      const reset = await tx.em.findOneOrFail(PasswordResetToken, { tokenHash: sha256(token) });
      const customer = await tx.em.findOne(Customer, { id: reset.customer.id, erasedAt: null });
      if (!customer) return invalidToken();
      customer.passwordHash = passwordHash;
      await tx.em.nativeUpdate(PasswordResetToken, { customer: customer.id, usedAt: null }, { usedAt: new Date() });
      await revokeSubjectSessions(tx.em, SessionSubject.CUSTOMER, customer.id);
      const session = await issueToken(tx.em, SessionSubject.CUSTOMER, customer.id, tx.channel, tx.config.tokenTtlHours);
      await tx.em.flush();
      return ok({ token: session, customer });
    });
  }

  /**
   * The signed-in customer erases their personal data: name, email, phone, addresses,
   * preferences, consents, where their orders were sent. The row stays, anonymised, so orders,
   * points and the books add up; every session ends; the email is free for a new account.
   */
  async erase(ctx: RequestContext, password: string): Promise<Result<void>> {
    const { actor } = ctx;
    if (actor.kind === 'guest') throw unauthenticated('Sign in first.');
    if (actor.kind !== 'customer') throw forbidden('Only the customer can erase their data.');
    const customer = await ctx.em.findOne(Customer, { id: actor.customerId, erasedAt: null }, { populate: ['passwordHash'] });
    if (!customer) throw unauthenticated('Sign in first.');
    // Guessing the password here is guessing it at sign-in: the same counters.
    const checked = await ctx.signInThrottle.attempt('customer', customer.email, ctx.clientAddress, async () =>
      (await passwordMatches(customer, password)) ? ok() : fail(ErrorCode.INVALID_CREDENTIALS, 'The password is not right.', ['password']),
    );
    if (!checked.ok) return checked;
    return transactional(ctx, async (tx) => {
      const id = customer.id;
      const row = await tx.em.findOneOrFail(Customer, { id }, { populate: ['passwordHash'] });
      row.email = `erased-${id}@erased.invalid`;
      row.name = undefined;
      row.phone = undefined;
      row.preferredLocation = undefined;
      row.passwordHash = 'erased';
      row.erasedAt = new Date();
      for (const entity of [CustomerPreference, SavedAddress, ConsentRecord, PasswordResetToken] as const) await tx.em.nativeDelete(entity, { customer: id });
      await cartService.eraseCustomerData(tx, id);
      await eraseOrderAddresses(tx.em, id);
      await revokeSubjectSessions(tx.em, SessionSubject.CUSTOMER, id);
      await tx.em.flush();
      return ok();
    });
  }
}

export const customerAccountService = new CustomerAccountService();
