import { CANCEL_REASON, type CancelReason, type PricedItem } from '../../domain/orders';

// The emails Notification sends, each as a subject, a plain-text body and an HTML body. Templates are
// functions: the compiler checks every fact they use, and every value put into HTML is escaped.

/** What a notification row keeps for its email (its `details` column). */
export interface NotificationDetails {
  items?: PricedItem[];
  totalCents?: number;
  amountCents?: number;
  currency?: string;
  reason?: CancelReason;
  /** A refund of part of the payment: something stays paid. */
  partial?: boolean;
  /** What stays paid after a partial refund. */
  remainingCents?: number;
}

/** Everything a template may use. */
export interface EmailFacts extends NotificationDetails {
  orderId: string;
  /** The customer's name from their contact profile, if they gave one. */
  name?: string | null;
  /** The order's page, for "pay again" and "see your order". */
  orderUrl: string;
  /** The notification's own text, for the kinds that are not about one order. */
  body?: string;
}

/** One rendered email. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** The kinds of notification that have an email. */
export const EMAIL_KINDS = ['order-confirmed', 'order-cancelled', 'payment-declined', 'payment-refunded', 'webhook-disabled'] as const;
/** The kinds whose email is about one order (and links to it). */
export const ORDER_EMAIL_KINDS = ['order-confirmed', 'order-cancelled', 'payment-declined', 'payment-refunded'] as const satisfies readonly EmailKind[];
/** One of EMAIL_KINDS. */
export type EmailKind = (typeof EMAIL_KINDS)[number];

/** Whether a notification kind has an email template. */
export const hasEmail = (kind: string): kind is EmailKind => (EMAIL_KINDS as readonly string[]).includes(kind);

/** An amount as the emails show it: 250.00 EUR. */
export const money = (cents: number, currency = ''): string => `${(cents / 100).toFixed(2)}${currency ? ` ${currency}` : ''}`;

class Html {
  constructor(readonly value: string) {}
}
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
/** HTML with every interpolated value escaped, except values that are themselves html`...` (or arrays of them). */
function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const part = (value: unknown): string =>
    value instanceof Html ? value.value : Array.isArray(value) ? value.map(part).join('') : escape(String(value ?? ''));
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? part(values[i]) : ''), ''));
}

const shortId = (orderId: string) => orderId.slice(0, 8);

/** What happens to the money after a cancel: nothing was taken unless the order had been paid, and support's cancel refunds that. */
const MONEY_AFTER_CANCEL: Record<CancelReason, string> = {
  [CANCEL_REASON.OUT_OF_STOCK]: 'No money was taken: the order was cancelled before any payment.',
  [CANCEL_REASON.UNKNOWN_PET]: 'No money was taken: the order was cancelled before any payment.',
  [CANCEL_REASON.MIXED_CURRENCY]: 'No money was taken: the order was cancelled before any payment.',
  [CANCEL_REASON.HOLD_LIMIT]: 'No money was taken: the order was cancelled before any payment.',
  [CANCEL_REASON.INVENTORY_TIMEOUT]: 'No money was taken: the order was cancelled before any payment.',
  [CANCEL_REASON.PAYMENT_DECLINED]: 'No money was taken: your bank declined the payment.',
  [CANCEL_REASON.PAYMENT_TIMEOUT]: 'No money was taken: no payment succeeded in time.',
  [CANCEL_REASON.PAYMENT_MISMATCH]: 'If any money was taken, the whole amount is refunded to your payment method; a separate email confirms the refund.',
  [CANCEL_REASON.CANCELLED_BY_CUSTOMER]: 'No money was taken: you cancelled before paying.',
  [CANCEL_REASON.CANCELLED_BY_SUPPORT]: 'If you had paid, the whole amount is refunded to your payment method; a separate email confirms the refund.',
};

/** Why an order was cancelled, in words. */
const REASON_TEXT: Record<CancelReason, string> = {
  [CANCEL_REASON.OUT_OF_STOCK]: 'a pet you ordered is out of stock',
  [CANCEL_REASON.UNKNOWN_PET]: 'a pet you ordered is no longer in our shop',
  [CANCEL_REASON.MIXED_CURRENCY]: 'the pets you ordered are priced in different currencies',
  [CANCEL_REASON.HOLD_LIMIT]: 'you already hold as many pets in open orders as one customer may',
  [CANCEL_REASON.INVENTORY_TIMEOUT]: 'we could not reserve your pets in time',
  [CANCEL_REASON.PAYMENT_DECLINED]: 'the payment was declined',
  [CANCEL_REASON.PAYMENT_TIMEOUT]: 'no payment arrived in time',
  [CANCEL_REASON.PAYMENT_MISMATCH]: 'we could not confirm your payment',
  [CANCEL_REASON.CANCELLED_BY_CUSTOMER]: 'you cancelled it',
  [CANCEL_REASON.CANCELLED_BY_SUPPORT]: 'our support team cancelled it',
};

function itemLines(items: PricedItem[] | undefined, currency: string | undefined): { text: string; html: Html } {
  if (!items?.length) return { text: '', html: html`` };
  const text = items.map((i) => `  ${i.quantity} x pet ${i.petId} at ${money(i.unitPriceCents, currency)}: ${money(i.unitPriceCents * i.quantity, currency)}`).join('\n');
  const rows = items.map(
    (i) => html`<tr><td>pet ${i.petId}</td><td style="text-align:right">${i.quantity}</td><td style="text-align:right">${money(i.unitPriceCents, currency)}</td><td style="text-align:right">${money(i.unitPriceCents * i.quantity, currency)}</td></tr>`,
  );
  return {
    text: `${text}\n`,
    html: html`<table cellpadding="4" style="border-collapse:collapse"><thead><tr><th style="text-align:left">Pet</th><th>Qty</th><th>Unit price</th><th>Line</th></tr></thead><tbody>${rows}</tbody></table>`,
  };
}

function layout(facts: EmailFacts, title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="font-family:sans-serif;color:#1a1a1a;max-width:40em">
<p>Hello${facts.name ? html` ${facts.name}` : ''},</p>
${body}
<p><a href="${facts.orderUrl}">See your order ${shortId(facts.orderId)}</a></p>
<p style="color:#555">petstore</p>
</body></html>
`.value;
}

const greeting = (facts: EmailFacts) => `Hello${facts.name ? ` ${facts.name}` : ''},\n\n`;
const signOff = (facts: EmailFacts) => `\nYour order: ${facts.orderUrl}\n\npetstore\n`;

const TEMPLATES: Record<EmailKind, (facts: EmailFacts) => EmailMessage> = {
  // Not about an order: the notification's text (which names the subscription, its redacted URL and how to re-enable it).
  'webhook-disabled': (f) => {
    const subject = 'Your petstore webhook subscription was disabled';
    const text = f.body ?? 'One of your webhook subscriptions was disabled after too many failed deliveries.';
    return {
      subject,
      text: `${greeting(f)}${text}\n\npetstore\n`,
      html: html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${subject}</title></head>
<body style="font-family:sans-serif;color:#1a1a1a;max-width:40em">
<p>Hello${f.name ? html` ${f.name}` : ''},</p>
<p>${text}</p>
<p style="color:#555">petstore</p>
</body></html>
`.value,
    };
  },
  'order-confirmed': (f) => {
    const lines = itemLines(f.items, f.currency);
    const total = money(f.totalCents ?? 0, f.currency);
    const subject = `Your order ${shortId(f.orderId)} is confirmed`;
    return {
      subject,
      text: `${greeting(f)}Thank you! Your order ${f.orderId} is confirmed and paid.\n\n${lines.text}Total: ${total}\n${signOff(f)}`,
      html: layout(f, subject, html`<p>Thank you! Your order <strong>${f.orderId}</strong> is confirmed and paid.</p>${lines.html}<p><strong>Total: ${total}</strong></p>`),
    };
  },
  'order-cancelled': (f) => {
    const reason = f.reason ? REASON_TEXT[f.reason] : 'it could not be completed';
    const moneyText = f.reason ? MONEY_AFTER_CANCEL[f.reason] : 'If you had paid, the amount is refunded to your payment method.';
    const subject = `Your order ${shortId(f.orderId)} was cancelled`;
    return {
      subject,
      text: `${greeting(f)}Your order ${f.orderId} was cancelled: ${reason} (${f.reason ?? 'unknown'}).\n\n${moneyText}\n${signOff(f)}`,
      html: layout(f, subject, html`<p>Your order <strong>${f.orderId}</strong> was cancelled: ${reason} (${f.reason ?? 'unknown'}).</p><p>${moneyText}</p>`),
    };
  },
  'payment-declined': (f) => {
    const subject = `The payment for order ${shortId(f.orderId)} was declined`;
    const how = 'While the order still awaits payment you can pay again with another method: open the order page below and pay, or send POST /payments with the order id and a new payment token. If the order was cancelled instead, no money was taken.';
    return {
      subject,
      text: `${greeting(f)}The payment for your order ${f.orderId} was declined by your bank, so nothing was charged.\n\n${how}\n\nPay again: ${f.orderUrl}\n${signOff(f)}`,
      html: layout(
        f,
        subject,
        html`<p>The payment for your order <strong>${f.orderId}</strong> was declined by your bank, so nothing was charged.</p><p>${how}</p><p><a href="${f.orderUrl}">Pay again</a></p>`,
      ),
    };
  },
  'payment-refunded': (f) => {
    const lines = itemLines(f.items, f.currency);
    const amount = money(f.amountCents ?? 0, f.currency);
    const kept = money(f.remainingCents ?? 0, f.currency);
    const subject = f.partial ? `We refunded ${amount} of order ${shortId(f.orderId)}` : `We refunded ${amount} for order ${shortId(f.orderId)}`;
    const what = f.partial
      ? `We refunded ${amount} of your order ${f.orderId} to your payment method. This is a partial refund: ${kept} of your payment stays paid.`
      : `We refunded ${amount} for your order ${f.orderId} to your payment method: nothing of it stays paid.`;
    const whatHtml = f.partial
      ? html`<p>We refunded <strong>${amount}</strong> of your order <strong>${f.orderId}</strong> to your payment method. This is a partial refund: ${kept} of your payment stays paid.</p>`
      : html`<p>We refunded <strong>${amount}</strong> for your order <strong>${f.orderId}</strong> to your payment method: nothing of it stays paid.</p>`;
    const itemsText = lines.text ? `\n\nRefunded items:\n\n${lines.text}` : '\n';
    const itemsHtml = lines.text ? html`<p>Refunded items:</p>${lines.html}` : html``;
    return {
      subject,
      text: `${greeting(f)}${what}${itemsText}\nRefund: ${amount}\n${signOff(f)}`,
      html: layout(f, subject, html`${whatHtml}${itemsHtml}<p><strong>Refund: ${amount}</strong></p>`),
    };
  },
};

/** The email for one notification. */
export function renderEmail(kind: EmailKind, facts: EmailFacts): EmailMessage {
  return TEMPLATES[kind](facts);
}
