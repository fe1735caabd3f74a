import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireAdmin } from '../../core/auth/guards';
import type { RequestContext } from '../../core/context';
import type { Connection } from '../../core/pagination';
import { Webhook, WebhookDelivery } from './webhook.entity';
import { webhookService } from './webhook.service';
import { WebhookCreateInput, WebhookDeliveryConnection, WebhookPayload } from './webhook.types';

const payload = (result: Awaited<ReturnType<typeof webhookService.delete>> & { value?: { secret?: string } }): WebhookPayload =>
  result.ok ? { webhook: result.value.webhook, secret: result.value.secret, userErrors: [] } : { userErrors: result.errors };

@Resolver(() => Webhook)
export class WebhookResolver {
  @Query(() => [Webhook], { description: 'ADMIN: the webhooks and their deliveries.' })
  webhooks(@Ctx() ctx: RequestContext): Promise<Webhook[]> {
    requireAdmin(ctx);
    return webhookService.list(ctx);
  }

  @Query(() => Webhook, { nullable: true })
  webhook(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Webhook | null> {
    requireAdmin(ctx);
    return webhookService.get(ctx, id);
  }

  @Mutation(() => WebhookPayload)
  async webhookCreate(@Ctx() ctx: RequestContext, @Arg('input', () => WebhookCreateInput) input: WebhookCreateInput): Promise<WebhookPayload> {
    requireAdmin(ctx);
    return payload(await webhookService.create(ctx, input));
  }

  @Mutation(() => WebhookPayload)
  async webhookDelete(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<WebhookPayload> {
    requireAdmin(ctx);
    return payload(await webhookService.delete(ctx, id));
  }

  @FieldResolver(() => WebhookDeliveryConnection)
  deliveries(
    @Root() webhook: Webhook,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<Connection<WebhookDelivery>> {
    requireAdmin(ctx);
    return webhookService.deliveries(ctx, webhook.id, { first, after });
  }
}
