import { backoffMs } from '../../services/notifications/delivery';
import { ORDER_EMAIL_KINDS, renderEmail } from '../../services/notifications/templates';

const orderId = '4f773e90-0000-4000-8000-000000000001';
const orderUrl = `https://shop.example.com/orders/${orderId}`;
const items = [{ petId: 'pet-<b>1</b>', quantity: 2, unitPriceCents: 12_500 }];

describe('email templates', () => {
  it('every order kind has a subject, a text and an HTML body that link to the order', () => {
    for (const kind of ORDER_EMAIL_KINDS) {
      const mail = renderEmail(kind, { orderId, orderUrl, name: 'Ada', items, totalCents: 25_000, amountCents: 25_000, currency: 'EUR', reason: 'PAYMENT_DECLINED' });
      expect(mail.subject).toContain(orderId.slice(0, 8));
      expect(mail.text).toContain(orderUrl);
      expect(mail.html).toContain(`href="${orderUrl}"`);
      expect(mail.text.startsWith('Hello Ada,')).toBe(true);
    }
  });

  it('confirmed: items and total; refunded: amount and items', () => {
    const confirmed = renderEmail('order-confirmed', { orderId, orderUrl, items, totalCents: 25_000, currency: 'EUR' });
    expect(confirmed.text).toContain('2 x pet pet-<b>1</b> at 125.00 EUR: 250.00 EUR');
    expect(confirmed.text).toContain('Total: 250.00 EUR');
    const refunded = renderEmail('payment-refunded', { orderId, orderUrl, items, amountCents: 25_000, currency: 'EUR' });
    expect(refunded.subject).toBe(`We refunded 250.00 EUR for order ${orderId.slice(0, 8)}`);
    expect(refunded.text).toContain('2 x pet');
  });

  it('cancelled: the reason and what happens to the money, by reason', () => {
    expect(renderEmail('order-cancelled', { orderId, orderUrl, reason: 'OUT_OF_STOCK' }).text).toContain('No money was taken');
    expect(renderEmail('order-cancelled', { orderId, orderUrl, reason: 'CANCELLED_BY_SUPPORT' }).text).toContain('refunded to your payment method');
  });

  it('webhook-disabled: the notification\'s own text, escaped, and no order link', () => {
    const mail = renderEmail('webhook-disabled', { orderId: '', orderUrl, name: 'Ada', body: 'Your webhook subscription s-1 (https://h.example/…) was disabled after 10 failed deliveries in a row <b>.' });
    expect(mail.subject).toBe('Your petstore webhook subscription was disabled');
    expect(mail.text).toContain('was disabled after 10 failed deliveries');
    expect(mail.html).toContain('in a row &lt;b&gt;.');
    expect(mail.text).not.toContain(orderUrl);
  });

  it('escapes every value put into HTML', () => {
    const html = renderEmail('order-confirmed', { orderId, orderUrl: 'https://x/?a=1&b="2"', name: '<script>alert(1)</script>', items, totalCents: 1, currency: 'EUR' }).html;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('pet pet-&lt;b&gt;1&lt;/b&gt;');
    expect(html).toContain('href="https://x/?a=1&amp;b=&quot;2&quot;"');
  });
});

describe('delivery backoff', () => {
  const settings = { backoffMs: 1000, backoffMaxMs: 60_000 };
  it('doubles per failed try from the base, capped, within ±20 % jitter', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, settings, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(20, settings, () => 0.5)).toBe(60_000);
    expect(backoffMs(1, settings, () => 0)).toBe(800);
    expect(backoffMs(1, settings, () => 0.999999)).toBe(1200);
  });
});
