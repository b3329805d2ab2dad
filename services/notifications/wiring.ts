import type { Knex } from 'knex';
import type { Config } from '../../lib/config';
import type { Component } from '../../lib/lifecycle';
import type { Logger } from '../../lib/logger';
import { emailChannel, webhookChannel } from './channels';
import { deliveryWorker } from './delivery';
import { webhookSigningSecret } from './signing';

/** The delivery worker with its real channels: signed webhooks under the URL policy, and email over SMTP_URL. */
export function notificationDelivery({ config, db, logger }: { config: Config; db: Knex; logger: Logger }): Component {
  const { delivery, webhook, mail } = config.notifications;
  return deliveryWorker({
    db,
    settings: delivery,
    logger,
    channels: {
      webhook: webhookChannel({ policy: { allowLoopback: webhook.allowLoopback }, secret: webhookSigningSecret(config), timeoutMs: webhook.timeoutMs }),
      email: emailChannel({ smtpUrl: mail.smtpUrl, from: mail.from, orderPageUrl: mail.orderPageUrl }),
    },
  });
}
