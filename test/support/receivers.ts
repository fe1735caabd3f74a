// Real receivers for the outbox tests: an HTTP server that records what arrives and answers as
// told, and an SMTP server (smtp-server) whose messages are parsed with mailparser.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: {
    type: string;
    timestamp: string;
    data: { order?: { id: string; number: string; status: string; [field: string]: unknown }; [field: string]: unknown };
  };
  /** What the receiver answered. */
  answered?: Answer;
}

/** How to answer a request: a status, or 'hang' (never answer). */
export type Answer = number | 'hang' | { status: number; headers: Record<string, string> };

export class HttpReceiver {
  readonly received: Received[] = [];
  private readonly server: Server;
  private readonly hanging = new Set<import('node:http').ServerResponse>();
  url = '';

  constructor(private answer: (req: Received, attempt: number) => Answer = () => 200) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: Received['json'];
        try {
          json = JSON.parse(body);
        } catch {
          json = { type: '', timestamp: '', data: {} };
        }
        const received: Received = { at: Date.now(), path: req.url ?? '/', headers: req.headers, body, json };
        this.received.push(received);
        const attempt = this.received.filter((r) => r.headers['webhook-id'] === req.headers['webhook-id']).length;
        const answer = this.answer(received, attempt);
        received.answered = answer;
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        if (typeof answer === 'number') res.writeHead(answer).end('ok');
        else res.writeHead(answer.status, answer.headers).end();
      });
    });
  }

  static async start(answer?: (req: Received, attempt: number) => Answer): Promise<HttpReceiver> {
    const receiver = new HttpReceiver(answer);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hook`;
    return receiver;
  }

  /** Requests about one order (data.order.id) and of one type, in arrival order. */
  about(orderId: string, type?: string): Received[] {
    return this.received.filter((r) => r.json.data?.order?.id === orderId && (!type || r.json.type === type));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export class SmtpReceiver {
  readonly mails: ParsedMail[] = [];
  private readonly server: SMTPServer;
  port = 0;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.mails.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
  }

  static async start(): Promise<SmtpReceiver> {
    const receiver = new SmtpReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.port = (receiver.server.server.address() as AddressInfo).port;
    return receiver;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): ParsedMail[] {
    return this.mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(address)));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls until `check` returns something truthy (or throws after `timeoutMs`). */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000, what = 'condition'): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
