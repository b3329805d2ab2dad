import type { Knex } from 'knex';
import type { Config } from '../../lib/config';
import type { Component } from '../../lib/lifecycle';
import type { Logger } from '../../lib/logger';
import { emailChannel, webhookChannel, webhookSender } from './channels';
import { deliveryWorker } from './delivery';
import { webhookSigningSecret } from './signing';
import { subscriptionDeliveryWorker } from './subscription-delivery';
import type { WebhookPolicy } from './webhook-policy';

/** The webhook URL policy the configuration sets. */
export const webhookPolicyOf = (config: Config): WebhookPolicy => ({ allowLoopback: config.notifications.webhook.allowLoopback, onlyLoopback: config.notifications.webhook.onlyLoopback });

/** The delivery worker with its real channels: signed webhooks under the URL policy, and email over SMTP_URL. */
export function notificationDelivery({ config, db, logger }: { config: Config; db: Knex; logger: Logger }): Component {
  const { delivery, webhook, mail } = config.notifications;
  return deliveryWorker({
    db,
    settings: delivery,
    logger,
    channels: {
      webhook: webhookChannel({ policy: webhookPolicyOf(config), secret: webhookSigningSecret(config), timeoutMs: webhook.timeoutMs }),
      email: emailChannel({ smtpUrl: mail.smtpUrl, from: mail.from, orderPageUrl: mail.orderPageUrl }),
    },
  });
}

/** The webhook subscriptions' delivery worker, signing with each subscription's secret under the same URL policy. */
export function subscriptionDelivery({ config, db, logger }: { config: Config; db: Knex; logger: Logger }): Component {
  const { delivery, webhook } = config.notifications;
  return subscriptionDeliveryWorker({
    db,
    settings: delivery,
    maxConsecutiveFailures: webhook.maxConsecutiveFailures,
    logger,
    sender: webhookSender({ policy: webhookPolicyOf(config), timeoutMs: webhook.timeoutMs }),
  });
}
