import type { Knex } from 'knex';

/** Postgres channel an order's status changes notify, with the order id as payload (the API's order event streams listen). */
export const ORDER_STATUS_CHANNEL = 'petstore_order_status';

/**
 * Live order pages: every status change of an order notifies at commit, whoever writes it (saga
 * steps, cancels, support), so the API pushes it to the order's event streams without polling.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `create function orders.order_status_notify() returns trigger language plpgsql as $$
     begin perform pg_notify('${ORDER_STATUS_CHANNEL}', new.id::text); return null; end $$`,
  );
  await knex.raw(
    `create trigger order_status_notify after insert or update of status on orders.orders
     for each row when (new.status is not null) execute function orders.order_status_notify()`,
  );
  await knex.raw(`comment on function orders.order_status_notify() is 'Notifies ${ORDER_STATUS_CHANNEL} with the order id when an order is written or its status changes.'`);
}

/** Drops the trigger and its function. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists order_status_notify on orders.orders');
  await knex.raw('drop function if exists orders.order_status_notify()');
}
