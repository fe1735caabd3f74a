import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import type { Connection } from '../../core/pagination';
import { toPayload } from '../../core/payload';
import { Webhook, WebhookDelivery } from './webhook.entity';
import { webhookService } from './webhook.service';
import { WebhookCreateInput, WebhookDeliveryConnection, WebhookPayload } from './webhook.types';

@Resolver(() => Webhook)
export class WebhookResolver {
  @Query(() => [Webhook], { description: 'ADMIN: the webhooks and their deliveries.' })
  webhooks(@Ctx() ctx: RequestContext): Promise<Webhook[]> {
    return webhookService.list(ctx);
  }

  @Query(() => Webhook, { nullable: true })
  webhook(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Webhook | null> {
    return webhookService.get(ctx, id);
  }

  @Mutation(() => WebhookPayload)
  async webhookCreate(@Ctx() ctx: RequestContext, @Arg('input', () => WebhookCreateInput) input: WebhookCreateInput): Promise<WebhookPayload> {
    return toPayload(await webhookService.create(ctx, input));
  }

  @Mutation(() => WebhookPayload)
  async webhookDelete(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<WebhookPayload> {
    return toPayload(await webhookService.delete(ctx, id));
  }

  @FieldResolver(() => WebhookDeliveryConnection)
  deliveries(
    @Root() webhook: Webhook,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<Connection<WebhookDelivery>> {
    return webhookService.deliveries(ctx, webhook.id, { first, after });
  }
}
