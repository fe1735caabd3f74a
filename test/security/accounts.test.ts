import { hashPassword, verifyPassword } from '../../src/core/auth/password';
import { aCustomer, anAdmin, PASSWORD } from '../support/fixtures';
import { CustomerSignInDocument, CustomerSignUpDocument, StaffSignInDocument } from '../support/generated/graphql';
import { TestApp, unique } from '../support/harness';

/**
 * The public account mutations under abuse: nobody can lock another's account, per-address
 * limits count a client once however it writes its address, sign-ups are limited and cannot
 * crowd out sign-ins, and passwords are hashed a few at a time.
 */
let t: TestApp;
beforeAll(async () => {
  // Behind one proxy: the client address comes from X-Forwarded-For, so tests can act from several.
  t = await TestApp.start({
    TRUST_PROXY_HOPS: '1',
    SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT: '5',
    SIGNIN_MAX_ATTEMPTS_PER_ADDRESS: '8',
    SIGNIN_MAX_DELAY_MS: '600',
    SIGNUP_MAX_PER_ADDRESS: '3',
  });
});
afterAll(() => t.close());

let counter = 0;
/** A documentation network (RFC 3849) of its own for each call, so counts do not mix between tests. */
const aNetwork = () => `2001:db8:${(process.pid % 0xffff).toString(16)}:${(counter++).toString(16)}`;
const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
const newEmail = () => `${unique('acct').toLowerCase()}@shop.test`;
const codes = (payload: { userErrors: { code: string }[] }) => payload.userErrors.map((e) => e.code);

describe('no one can lock an account', () => {
  it('30 wrong passwords for the admin from six networks: the admin still signs in, slowed down, and the guessers are refused', async () => {
    const admin = await anAdmin(t);
    const email = admin.account.email;
    const guessers = Array.from({ length: 6 }, () => `${aNetwork()}::66`);
    // Five guesses from each network at once, then one more from each.
    const guesses = await Promise.all(
      guessers.flatMap((address) => Array.from({ length: 5 }, (_, i) => t.data(StaffSignInDocument, { email, password: `guess-${i}` }, from(address)))),
    );
    expect(new Set(guesses.flatMap((g) => codes(g.staffSignIn)))).toEqual(new Set(['INVALID_CREDENTIALS']));
    for (const address of guessers) {
      const more = await t.data(StaffSignInDocument, { email, password: 'guess-again' }, from(address));
      expect(codes(more.staffSignIn)).toEqual(['TOO_MANY_ATTEMPTS']);
    }
    const started = Date.now();
    const owner = await t.data(StaffSignInDocument, { email, password: PASSWORD }, from(`${aNetwork()}::1`));
    const ms = Date.now() - started;
    expect(owner.staffSignIn.userErrors).toEqual([]);
    expect(owner.staffSignIn.token).toBeTruthy();
    // 30 failures, 25 past the allowance: the longest wait (SIGNIN_MAX_DELAY_MS), not a refusal.
    expect(ms).toBeGreaterThanOrEqual(550);
  });
});

describe('a client counts once, however its address is written', () => {
  it('refuses a whole /64 after 8 failed sign-ins from addresses inside it', async () => {
    const network = aNetwork();
    for (let i = 1; i <= 8; i++) {
      const res = await t.data(CustomerSignInDocument, { email: newEmail(), password: 'wrong-password' }, from(`${network}::${i.toString(16)}`));
      expect(codes(res.customerSignIn)).toEqual(['INVALID_CREDENTIALS']);
    }
    const customer = await aCustomer(t);
    const refused = await t.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, from(`${network}:ffff:ffff:ffff:ffff`));
    expect(codes(refused.customerSignIn)).toEqual(['TOO_MANY_ATTEMPTS']);
    const nextNetwork = await t.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, from(`${aNetwork()}::1`));
    expect(nextNetwork.customerSignIn.token).toBeTruthy();
  });

  it('counts ::1, 127.0.0.1 and ::ffff:127.0.0.1 as one client', async () => {
    const loopbacks = ['::1', '127.0.0.1', '::ffff:127.0.0.1', '127.0.0.1', '::1', '::ffff:127.0.0.1', '::1', '127.0.0.1'];
    for (const address of loopbacks) {
      const res = await t.data(CustomerSignInDocument, { email: newEmail(), password: 'wrong-password' }, from(address));
      expect(codes(res.customerSignIn)).toEqual(['INVALID_CREDENTIALS']);
    }
    for (const address of ['::1', '127.0.0.1', '::ffff:127.0.0.1']) {
      const res = await t.data(CustomerSignInDocument, { email: newEmail(), password: 'wrong-password' }, from(address));
      expect(codes(res.customerSignIn)).toEqual(['TOO_MANY_ATTEMPTS']);
    }
  });
});

describe('sign-up', () => {
  it('is limited per address: past the limit a taken email is refused like any other, so probing learns nothing', async () => {
    const existing = await aCustomer(t);
    const address = `${aNetwork()}::5`;
    const signUp = (email: string, password = PASSWORD) => t.data(CustomerSignUpDocument, { input: { email, password } }, from(address));

    // Refusals that cost no hash and tell nothing do not count.
    expect(codes((await signUp(newEmail(), 'password123')).customerSignUp)).toEqual(['WEAK_PASSWORD']);
    expect(codes((await signUp(newEmail())).customerSignUp)).toEqual([]);
    expect(codes((await signUp(existing.account.email)).customerSignUp)).toEqual(['EMAIL_TAKEN']);
    expect(codes((await signUp(newEmail())).customerSignUp)).toEqual([]);
    const refused = await signUp(newEmail());
    expect(refused.customerSignUp).toEqual({
      token: null,
      customer: null,
      userErrors: [{ code: 'TOO_MANY_ATTEMPTS', message: expect.stringMatching(/Try again in \d+ minutes\./), field: null }],
    });
    expect(codes((await signUp(existing.account.email)).customerSignUp)).toEqual(['TOO_MANY_ATTEMPTS']);

    const elsewhere = await t.data(CustomerSignUpDocument, { input: { email: newEmail(), password: PASSWORD } }, from(`${aNetwork()}::5`));
    expect(elsewhere.customerSignUp.token).toBeTruthy();
  });
});

describe('password hashing', () => {
  it('runs a few hashes at a time and checks a password before hashes that were waiting', async () => {
    const done: string[] = [];
    const hashes = Array.from({ length: 10 }, (_, i) => hashPassword(`password-number-${i}`).then(() => void done.push('hash')));
    const stored = await hashPassword('the-password-to-check');
    const before = done.length;
    const checks = Array.from({ length: 10 }, (_, i) => hashPassword(`another-password-${i}`).then(() => void done.push('hash')));
    const verified = verifyPassword('the-password-to-check', stored).then((ok) => void done.push(ok ? 'verify' : 'wrong'));
    await Promise.all([...hashes, ...checks, verified]);
    // Only the hashes already running (at most two) may finish between the check's arrival and its end.
    expect(done.indexOf('verify') - before).toBeLessThanOrEqual(2);
  });

  it('keeps an unrelated sign-in fast while one client sends 36 sign-ups a second', async () => {
    const flood = await TestApp.start({ TRUST_PROXY_HOPS: '1', SIGNUP_MAX_PER_ADDRESS: '10' });
    try {
      const customer = await aCustomer(flood);
      const signIn = async () => {
        const started = performance.now();
        const res = await flood.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, from(`${aNetwork()}::1`));
        expect(res.customerSignIn.token).toBeTruthy();
        return performance.now() - started;
      };
      await signIn();
      const quiet = await signIn();
      const attacker = `${aNetwork()}::bad`;
      const signUps: Promise<{ customerSignUp: { userErrors: { code: string }[] } }>[] = [];
      const timer = setInterval(() => {
        for (let i = 0; i < 9; i++) signUps.push(flood.data(CustomerSignUpDocument, { input: { email: newEmail(), password: PASSWORD } }, from(attacker)));
      }, 250);
      const during: number[] = [];
      try {
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (let i = 0; i < 6; i++) {
          during.push(await signIn());
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      } finally {
        clearInterval(timer);
      }
      const outcomes = (await Promise.all(signUps)).map((r) => r.customerSignUp.userErrors[0]?.code ?? 'OK');
      console.info(`sign-in: ${Math.round(quiet)} ms quiet; ${during.map(Math.round).join(', ')} ms while one client sent ${outcomes.length} sign-ups at 36/s`);
      expect(outcomes.filter((c) => c === 'OK')).toHaveLength(10);
      expect(outcomes.filter((c) => c === 'TOO_MANY_ATTEMPTS')).toHaveLength(outcomes.length - 10);
      // The client and the service share this process and a busy machine: the bound (on the
      // median) is loose, but without the limits these sign-ins wait behind every queued hash (seconds).
      const median = [...during].sort((a, b) => a - b)[Math.floor(during.length / 2)];
      expect(median).toBeLessThan(Math.max(1000, 4 * quiet));
    } finally {
      await flood.close();
    }
  });
});
