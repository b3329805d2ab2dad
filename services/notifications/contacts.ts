import type { Knex } from 'knex';
import type { ContactsPort, ContactView } from '../../api/ports';

const S = 'notifications';

interface ContactRow {
  user_id: string;
  email: string;
  name: string | null;
  email_enabled: boolean;
  webhook_enabled: boolean;
  updated_at: Date;
}

const toView = (row: ContactRow): ContactView => ({
  email: row.email,
  name: row.name,
  channels: { email: row.email_enabled, webhook: row.webhook_enabled },
  updatedAt: row.updated_at.toISOString(),
});

/** Notification's contact profiles behind GET/PUT /me/contact. */
export function createContactsRepository(db: Knex): ContactsPort {
  return {
    async get(userId) {
      const row = (await db.withSchema(S).table('contacts').where({ user_id: userId }).first()) as ContactRow | undefined;
      return row && toView(row);
    },
    async put(userId, { email, name, channels = {} }) {
      const given = { ...(channels.email === undefined ? {} : { email_enabled: channels.email }), ...(channels.webhook === undefined ? {} : { webhook_enabled: channels.webhook }) };
      // One statement: a new profile takes the defaults for what was left out, an existing one keeps its values.
      const [row] = (await db
        .withSchema(S)
        .table('contacts')
        .insert({ user_id: userId, email, name, ...given, updated_at: db.fn.now() })
        .onConflict('user_id')
        .merge(['email', 'name', 'updated_at', ...Object.keys(given)])
        .returning('*')) as ContactRow[];
      return toView(row!);
    },
  };
}
