import { kafkaNames } from '../../kafka/topics';
import { SupportInputError } from '../../support/errors';
import { checkTopic } from '../../support/tail';

describe('events tail: which topic', () => {
  it('takes a topic by its full name, or without the namespace, and answers with its name on Kafka', () => {
    const staging = kafkaNames('staging');
    expect(checkTopic(staging, 'staging.orders')).toBe('staging.orders');
    expect(checkTopic(staging, 'orders')).toBe('staging.orders');
    expect(checkTopic(staging, 'petstore-inventory.dlq')).toBe('staging.petstore-inventory.dlq');
    expect(checkTopic(kafkaNames(''), 'payments')).toBe('payments');
  });

  it("refuses another deployment's topics, listing the namespace's own", () => {
    expect(() => checkTopic(kafkaNames('staging'), 'team-a.orders')).toThrow(SupportInputError);
    expect(() => checkTopic(kafkaNames('staging'), 'team-a.orders')).toThrow(/choose from staging.orders, staging.payments, staging.notifications, staging.petstore-inventory.dlq/);
    expect(() => checkTopic(kafkaNames(''), 'staging.orders')).toThrow(/unknown topic "staging.orders"/);
  });
});
