import { Writable } from 'node:stream';
import { createLogger, wantsPretty } from '../../lib/logger';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('log format', () => {
  it('is pretty on a terminal unless LOG_FORMAT says json, and JSON anywhere else unless it says pretty', () => {
    expect(wantsPretty(undefined, 1, true)).toBe(true);
    expect(wantsPretty(undefined, 1, false)).toBe(false);
    expect(wantsPretty('json', 1, true)).toBe(false);
    expect(wantsPretty('pretty', 1, false)).toBe(true);
    expect(wantsPretty(undefined, 2, true)).toBe(false); // only stdout is looked at
  });

  it('writes JSON lines with the ids a line has', () => {
    const out = sink();
    createLogger('info', out.stream, { format: 'json' }).child({ component: 'consumer:orders' }).child({ orderId: 'o-1', workflowId: 'order-o-1' }).info('signalled');
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, service: 'petstore', component: 'consumer:orders', orderId: 'o-1', workflowId: 'order-o-1', msg: 'signalled' });
  });

  it('writes one readable line per entry when pretty: time, level, component, message, then the fields', () => {
    const out = sink();
    createLogger('info', out.stream, { format: 'pretty' }).child({ component: 'consumer:orders' }).child({ orderId: 'o-1', workflowId: 'order-o-1' }).info('signalled');
    expect(out.text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: consumer:orders: signalled \{"orderId":"o-1","workflowId":"order-o-1"\}\n$/);
  });
});
