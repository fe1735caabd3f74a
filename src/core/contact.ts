/**
 * How a customer is reached and found: an email address and a phone number in one canonical
 * form each, so "Ada@Shop.test " typed on the web and "ada@shop.test" scanned at the till, or
 * "+34 600-12-34-56" and "0034600123456", name the same person.
 */

const EMAIL_SHAPE = /^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/;

export const canonicalEmail = (email: string): string => email.trim().toLowerCase();

/** The canonical email, or undefined when it is not an address (over 254 characters included). */
export function parseEmail(raw: string): string | undefined {
  const email = canonicalEmail(raw);
  return email.length <= 254 && EMAIL_SHAPE.test(email) ? email : undefined;
}

/**
 * The number in E.164 (+, country code, subscriber number: 8 to 15 digits in all), or undefined.
 * Spaces, dots, dashes and brackets are ignored and a leading 00 is read as +; a number without
 * its country code is refused rather than guessed, since one service serves several countries.
 */
export function parsePhone(raw: string): string | undefined {
  if (raw.length > 40) return undefined;
  let phone = raw.trim().replace(/[\s.\-()/]/g, '');
  if (phone.startsWith('00')) phone = `+${phone.slice(2)}`;
  return /^\+[1-9]\d{7,14}$/.test(phone) ? phone : undefined;
}

/** True when the digits end in a valid Luhn check digit (loyalty numbers carry one). */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
