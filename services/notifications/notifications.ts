import type { Knex } from 'knex';
import type { NotificationsPort, NotificationView } from '../../api/ports';
import { newEvent } from '../../kafka/envelope';
import { writeEvents } from '../../kafka/outbox';
import { isUuid } from '../../lib/ids';
import { pageQuery, toPage } from '../paging';

const S = 'notifications';

interface NotificationRow {
  id: string;
  user_id: string;
  order_id: string | null;
  kind: string;
  channel: 'log' | 'webhook' | 'email';
  body: string;
  status: 'PENDING' | 'DELIVERED' | 'SENT' | 'FAILED';
  delivered_at: Date | null;
  created_at: Date;
  attempts: number;
  error: string | null;
}

const toView = (row: NotificationRow): NotificationView => ({
  id: row.id,
  userId: row.user_id,
  orderId: row.order_id,
  kind: row.kind,
  channel: row.channel,
  body: row.body,
  status: row.status,
  deliveredAt: row.delivered_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
  attempts: row.attempts,
  error: row.error,
});

/** Notification's side of the REST API: the internal send API and the lists by user and by order. */
export function createNotificationsRepository(db: Knex): NotificationsPort {
  return {
    async request({ userId, kind, body, channel, orderId }) {
      // Through the outbox and the notifications topic, like every other notification: delivered once, recorded.
      const event = newEvent('NotificationRequested', { source: 'notifications', orderId: orderId ?? userId, data: { userId, kind, body, ...(channel ? { channel } : {}) } });
      await writeEvents(db, S, [event]);
      return { eventId: event.id };
    },
    async listByUser(userId, { limit, cursor }) {
      const rows = (await pageQuery(db.withSchema(S).table('notifications').where({ user_id: userId }).select('*'), { limit, cursor, direction: 'desc' })) as NotificationRow[];
      return toPage(rows, limit, toView);
    },
    async listByOrder(orderId, { limit, cursor, userId }) {
      if (!isUuid(orderId)) return { items: [], nextCursor: null }; // order_id is a uuid column: nothing else can match
      const query = db.withSchema(S).table('notifications').where({ order_id: orderId }).select('*');
      if (userId !== undefined) query.where({ user_id: userId });
      const rows = (await pageQuery(query, { limit, cursor, direction: 'desc' })) as NotificationRow[];
      return toPage(rows, limit, toView);
    },
  };
}
