// kafkajs lines that are no news on a healthy start go to debug; everything else keeps its level.
import { kafkaLogLevel } from '../../kafka/client';

describe('kafkaLogLevel', () => {
  it('logs the idempotent producer retry warning and a loading coordinator at debug', () => {
    expect(kafkaLogLevel('warn', 'Limiting retries for the idempotent producer may invalidate EoS guarantees', {})).toBe('debug');
    expect(kafkaLogLevel('error', 'Response InitProducerId(key: 22, version: 1)', { error: 'The coordinator is loading and hence can\'t process requests for this group' })).toBe('debug');
    expect(kafkaLogLevel('error', 'Response GroupCoordinator(key: 10, version: 2)', { error: 'The group coordinator is not available' })).toBe('debug');
  });

  it('keeps the level of anything else', () => {
    expect(kafkaLogLevel('error', 'Response Produce(key: 0, version: 7)', { error: 'This server is not the leader for that topic-partition' })).toBe('error');
    expect(kafkaLogLevel('warn', 'Connection timeout', {})).toBe('warn');
  });
});
