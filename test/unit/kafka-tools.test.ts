import { loadConfig } from '../../lib/config';
import { KAFKA_TOOLS, kafkaToolCommand } from '../../stack/kafka-tools';

describe("Kafka's command-line tools", () => {
  const config = loadConfig({ KAFKA_BROKERS: 'b1:9092,b2:9092' });
  const paths = { classpath: '/cache/kafka-3.9.1/libs/*', log4jFile: '/data/kafka-tools/log4j.properties' };
  const mainAndArgs = (command: string[]) => command.slice(command.indexOf(paths.classpath) + 1);

  it("runs the tool's main class on the cached classpath, the configured brokers first", () => {
    const command = kafkaToolCommand(config, KAFKA_TOOLS.topics!, ['--list'], paths);
    expect(command).toEqual(expect.arrayContaining(['-cp', paths.classpath, `-Dlog4j.configuration=file:${paths.log4jFile}`]));
    expect(mainAndArgs(command)).toEqual(['org.apache.kafka.tools.TopicCommand', '--bootstrap-server', 'b1:9092,b2:9092', '--list']);
  });

  it.each([[['--bootstrap-server', 'other:9092', '--list']], [['--bootstrap-server=other:9092', '--list']], [['--bootstrap-controller', 'c:9093', 'describe', '--status']]])('leaves the server to the caller who names one: %j', (args) => {
    const tool = KAFKA_TOOLS['metadata-quorum']!;
    expect(mainAndArgs(kafkaToolCommand(config, tool, args, paths))).toEqual([tool.mainClass, ...args]);
  });

  it('gives no server to a tool that reads files (dump-log)', () => {
    expect(mainAndArgs(kafkaToolCommand(config, KAFKA_TOOLS['dump-log']!, ['--files', 'x.log'], paths))).toEqual(['kafka.tools.DumpLogSegments', '--files', 'x.log']);
  });
});
