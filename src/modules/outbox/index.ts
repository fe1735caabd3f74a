export { OutboxEvent, WebhookTopic, InternalEventType, type EventData, type EventType, type NewEvent } from './outbox.entity';
export { outbox, pruneOldEvents, record } from './outbox.service';
export { eventsInsertCte } from './outbox.sql';
export { Dispatcher, listenOnPooledConnection, WAKE_CHANNEL, type DispatcherOptions } from './outbox.dispatcher';
export { createOutboxMetrics, type OutboxMetrics } from './outbox.metrics';
export { retryDelayMs, type Attempt, type EventRow, type EventSink, type QueueRow, type Settlement, type WorkQueue } from './outbox.queue';
