import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { HandlerMap } from '../kafka/consumer';
import type { OutboxSchema } from '../kafka/outbox';
import { TOPICS, type Topic } from '../kafka/topics';
import type { KeyRing } from '../lib/keyring';
import type { Logger } from '../lib/logger';
import { inventoryHandlers } from './inventory/handlers';
import { notificationHandlers } from './notifications/handlers';
import { orderHandlers } from './orders/handlers';
import type { PaymentGateway } from './payments/gateway';
import { paymentHandlers } from './payments/handlers';

/** The four services; one process runs any subset (`petstore serve --service ...`). */
export const SERVICE_NAMES = ['inventory', 'orders', 'payments', 'notifications'] as const;
/** One of SERVICE_NAMES. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** What a service's consumers need. */
export interface ServiceDeps {
  db: Knex;
  temporal: () => Promise<Client>;
  gateway: PaymentGateway;
  /** The keys payment tokens are sealed under (Payment seals a token that came in clear, from before sealing). */
  paymentTokenKeys: KeyRing;
  logger: Logger;
  /** Units one customer may hold in open orders (Inventory enforces it). */
  maxHeldUnits: number;
}

/** How one service takes part in the event flow: its schema (and outbox), the topics it reads (by domain name; its group and their names on Kafka come from kafkaNames) and its handlers. */
export interface ServiceDefinition {
  name: ServiceName;
  schema: OutboxSchema;
  topics: Topic[];
  handlers(deps: ServiceDeps): HandlerMap;
}

/** Each service's part in the event flow, as DESIGN.md's table has it. */
export const SERVICES: Record<ServiceName, ServiceDefinition> = {
  inventory: { name: 'inventory', schema: 'inventory', topics: [TOPICS.orders, TOPICS.payments], handlers: ({ maxHeldUnits }) => inventoryHandlers({ maxHeldUnits }) },
  orders: { name: 'orders', schema: 'orders', topics: [TOPICS.orders, TOPICS.payments], handlers: ({ temporal }) => orderHandlers({ temporal }) },
  payments: { name: 'payments', schema: 'payments', topics: [TOPICS.orders], handlers: ({ gateway, paymentTokenKeys }) => paymentHandlers({ gateway, tokenKeys: paymentTokenKeys }) },
  notifications: {
    name: 'notifications',
    schema: 'notifications',
    topics: [TOPICS.orders, TOPICS.payments, TOPICS.notifications],
    handlers: ({ db, logger }) => notificationHandlers({ db, logger: logger.child({ component: 'notifications' }) }),
  },
};
