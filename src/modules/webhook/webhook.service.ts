import { randomBytes } from 'node:crypto';
import { requireAdmin } from '../../core/auth/guards';
import type { ServiceContext } from '../../core/context';
import { transactional } from '../../core/db/transaction';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { encodeCursor, keysetAfter, pageSize, toConnection, type Connection, type PageArgs } from '../../core/pagination';
import { WebhookTopic } from '../outbox';
import { Webhook, WebhookDelivery } from './webhook.entity';
import { failPendingDeliveries } from './webhook.sql';
import { hostOf, isForbiddenAddress, resolveAll } from './webhook.target';

const MAX_URL_LENGTH = 2000;

/** ADMIN only: webhooks reach the retailer's other systems with every order's data. */
export class WebhookService {
  /**
   * Saves a webhook and returns its signing secret, the only time it is shown. The URL must be
   * https in production, and — unless private networks are allowed — resolve only to public
   * addresses now (and again at every delivery, see webhook.target.ts).
   */
  async create(ctx: ServiceContext, input: { url: string; topics: WebhookTopic[] }): Promise<Result<{ webhook: Webhook; secret: string }>> {
    requireAdmin(ctx);
    const topics = [...new Set(input.topics)];
    if (topics.length === 0) return fail(ErrorCode.INVALID_INPUT, 'Subscribe to at least one topic.', ['input', 'topics']);
    if (topics.some((t) => !Object.values(WebhookTopic).includes(t))) return fail(ErrorCode.INVALID_INPUT, 'Unknown topic.', ['input', 'topics']);
    const refused = await this.checkUrl(ctx, input.url.trim());
    if (refused) return refused;
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    return transactional(ctx, async (tx) => {
      const webhook = tx.em.create(Webhook, { url: input.url.trim(), topics, secret });
      await tx.em.flush();
      return ok({ webhook, secret });
    });
  }

  /** Stops deliveries at once: the webhook turns inactive and what was still pending fails. */
  async delete(ctx: ServiceContext, id: string): Promise<Result<{ webhook: Webhook }>> {
    requireAdmin(ctx);
    if (!isUuid(id)) return fail(ErrorCode.NOT_FOUND, 'No webhook has this id.', ['id']);
    return transactional(ctx, async (tx) => {
      const webhook = await tx.em.findOne(Webhook, { id, deletedAt: null });
      if (!webhook) return fail(ErrorCode.NOT_FOUND, 'No webhook has this id.', ['id']);
      webhook.active = false;
      webhook.deletedAt = new Date();
      await tx.em.flush();
      await failPendingDeliveries(tx.em, id);
      return ok({ webhook });
    });
  }

  list(ctx: ServiceContext): Promise<Webhook[]> {
    requireAdmin(ctx);
    return ctx.em.find(Webhook, { deletedAt: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  async get(ctx: ServiceContext, id: string): Promise<Webhook | null> {
    requireAdmin(ctx);
    return isUuid(id) ? ctx.em.findOne(Webhook, { id, deletedAt: null }) : null;
  }

  /** The delivery log, newest first. */
  async deliveries(ctx: ServiceContext, webhookId: string, page: PageArgs): Promise<Connection<WebhookDelivery>> {
    requireAdmin(ctx);
    const limit = pageSize(page);
    const rows = await ctx.em.find(
      WebhookDelivery,
      { webhook: webhookId, ...keysetAfter(page.after, 'desc') },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 },
    );
    return toConnection(rows, limit, (d) => encodeCursor(d.createdAt, d.id));
  }

  private async checkUrl(ctx: ServiceContext, raw: string) {
    const field = ['input', 'url'];
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return fail(ErrorCode.INVALID_INPUT, 'The URL is not valid.', field);
    }
    if (raw.length > MAX_URL_LENGTH) return fail(ErrorCode.INVALID_INPUT, `A URL has at most ${MAX_URL_LENGTH} characters.`, field);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(ErrorCode.INVALID_INPUT, 'A webhook URL starts with https://.', field);
    if (url.username || url.password) return fail(ErrorCode.INVALID_INPUT, 'A webhook URL carries no user name or password.', field);
    if (ctx.config.nodeEnv === 'production' && url.protocol !== 'https:') return fail(ErrorCode.FORBIDDEN_TARGET, 'A webhook URL must use https.', field);
    if (ctx.config.outbox.webhookAllowPrivateNetworks) return undefined;
    let addresses: string[];
    try {
      addresses = await resolveAll(hostOf(url));
    } catch {
      return fail(ErrorCode.INVALID_INPUT, `${url.hostname} cannot be resolved.`, field);
    }
    if (addresses.length === 0 || addresses.some(isForbiddenAddress)) {
      return fail(ErrorCode.FORBIDDEN_TARGET, 'Webhooks may not point to loopback, private, link-local or metadata addresses.', field);
    }
    return undefined;
  }
}

export const webhookService = new WebhookService();
