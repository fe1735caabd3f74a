import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Webhook as Signer } from 'standardwebhooks';
import type { Config } from '../../core/config';
import type { Orm } from '../../core/db/orm';
import type { Attempt, QueueRow, WorkQueue } from '../outbox';
import { deliveryTargets, type DeliveryTarget } from './webhook.sql';
import { guardedLookup, hostOf, isForbiddenAddress } from './webhook.target';

/** Bytes of a receiver's answer read before it is dropped: only the status matters. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const agents = {
  guarded: { http: new http.Agent({ keepAlive: true, lookup: guardedLookup }), https: new https.Agent({ keepAlive: true, lookup: guardedLookup }) },
  open: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
};

export interface SignedRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * The Standard Webhooks request for one event: the event id is the webhook-id (the same on every
 * retry, so a receiver can drop duplicates); the timestamp header is the time of this attempt,
 * which receivers check against replays. What only the customer may read (`private`) stays out.
 */
export function signedRequest(
  url: string,
  secret: string,
  event: { id: string; type: string; data: Record<string, unknown>; created_at: Date | string },
  now = new Date(),
): SignedRequest {
  const { private: _private, ...data } = event.data;
  const body = JSON.stringify({ type: event.type, timestamp: new Date(event.created_at).toISOString(), data });
  const signature = new Signer(secret).sign(event.id, now, body);
  return {
    url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'omnichannel-commerce-webhooks',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}

/**
 * POSTs once. Never follows a redirect (a 3xx is a failed attempt), gives up after `timeoutMs`
 * for the whole exchange, and — unless private networks are allowed — connects only to public
 * addresses, checked on the address actually resolved.
 */
export function post(request: SignedRequest, timeoutMs: number, allowPrivate: boolean): Promise<Attempt> {
  const target = new URL(request.url);
  const host = hostOf(target);
  if (!allowPrivate && isIP(host) && isForbiddenAddress(host)) {
    return Promise.resolve({ ok: false, retry: false, error: `${host} is an address webhooks may not reach.` });
  }
  const secure = target.protocol === 'https:';
  const agent = (allowPrivate ? agents.open : agents.guarded)[secure ? 'https' : 'http'];
  return new Promise((resolve) => {
    let settled = false;
    const finish = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const req = (secure ? https : http).request(
      target,
      { method: 'POST', headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) }, agent },
      (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const answered = () =>
          finish(status >= 200 && status < 300 ? { ok: true, responseStatus: status } : { ok: false, responseStatus: status, error: `answered ${status}` });
        res.on('end', answered);
        res.on('close', answered);
        res.on('error', answered);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: err.message, retry: err.code === 'FORBIDDEN_TARGET' ? false : undefined }));
    req.end(request.body);
  });
}

/** The webhook deliveries as a queue of the outbox dispatcher. */
export function webhookQueue(orm: Orm, config: Config): WorkQueue {
  const { webhookTimeoutMs, webhookRetryBaseMs, webhookMaxAttempts, webhookAllowPrivateNetworks } = config.outbox;
  return {
    name: 'webhook',
    table: 'webhook_delivery',
    doneStatus: 'DELIVERED',
    groupColumn: 'webhook_id',
    leaseMs: 2 * webhookTimeoutMs + 5_000,
    maxAttempts: webhookMaxAttempts,
    retryBaseMs: webhookRetryBaseMs,
    async load(rows) {
      const targets = new Map(
        (
          await deliveryTargets(
            orm.em.fork(),
            rows.map((r) => r.id),
          )
        ).map((t) => [t.delivery_id, t]),
      );
      for (const row of rows) row.target = targets.get(row.id);
    },
    async perform(row: QueueRow): Promise<Attempt> {
      const target = row.target as DeliveryTarget | undefined;
      if (!target?.active) return { ok: false, retry: false, error: 'The webhook was deleted.' };
      const request = signedRequest(target.url, target.secret, { id: target.event_id, type: target.type, data: target.data, created_at: target.created_at });
      return post(request, webhookTimeoutMs, webhookAllowPrivateNetworks);
    },
  };
}
