export { OutboxEvent, WebhookTopic, InternalEventType, type EventData, type EventType } from './outbox.entity';
export { record, eventRow, OUTBOX_EVENT_TABLE, type NewEvent } from './outbox.service';
export { Dispatcher, listenOnPooledConnection, WAKE_CHANNEL, type DispatcherOptions } from './outbox.dispatcher';
export { createOutboxMetrics, type OutboxMetrics } from './outbox.metrics';
export { retryDelayMs, type Attempt, type EventRow, type EventSink, type QueueRow, type Settlement, type WorkQueue } from './outbox.queue';
