import nodemailer, { type Transporter } from 'nodemailer';
import type { OutboxConfig } from '../../core/config';
import type { Attempt } from '../outbox';

export interface Message {
  id: string;
  to: string;
  subject: string;
  text: string;
}

const transports = new Map<string, Transporter>();

/** E-mail through the SMTP server of SMTP_URL; one pooled transport per URL in the process. */
export async function sendEmail(config: OutboxConfig, message: Message, timeoutMs: number): Promise<Attempt> {
  if (!config.smtpUrl) return { ok: false, retry: false, error: 'SMTP_URL is not set.' };
  let transport = transports.get(config.smtpUrl);
  if (!transport) {
    transport = nodemailer.createTransport({
      url: config.smtpUrl,
      pool: true,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    } as never);
    transports.set(config.smtpUrl, transport);
  }
  try {
    // The message id is the notification's: a retry after a crash is recognisably the same message.
    await transport.sendMail({
      from: config.mailFrom,
      to: message.to,
      subject: message.subject,
      text: message.text,
      messageId: `<${message.id}@notifications>`,
    });
    return { ok: true };
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    // 5xx: the server refuses this message for good (an unknown mailbox); anything else may pass later.
    return { ok: false, responseStatus: code, error: (err as Error).message, retry: code !== undefined && code >= 500 && code < 600 ? false : undefined };
  }
}

/** SMS through a Twilio-compatible HTTP API (TWILIO_BASE_URL points tests at a local one). */
export async function sendSms(config: OutboxConfig, message: Message, timeoutMs: number): Promise<Attempt> {
  const sms = config.sms;
  if (!sms) return { ok: false, retry: false, error: 'SMS is not configured.' };
  try {
    const res = await fetch(`${sms.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(sms.accountSid)}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sms.accountSid}:${sms.authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ To: message.to, From: sms.from, Body: message.text }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { ok: true, responseStatus: res.status };
    // 4xx other than throttling: the provider refuses this message (a bad number); retrying cannot help.
    return {
      ok: false,
      responseStatus: res.status,
      error: `answered ${res.status}`,
      retry: res.status >= 400 && res.status < 500 && res.status !== 429 ? false : undefined,
    };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export async function closeTransports(): Promise<void> {
  for (const t of transports.values()) t.close();
  transports.clear();
}
