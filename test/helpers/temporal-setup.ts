// jest setupFiles for the Temporal projects: the SDK's own logs at WARN, so test output stays readable.
// The SDK core's warnings are raised to ERROR: the time-skipping test server does not advertise
// newer capabilities, and core warns about that once per worker.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'WARN' } } },
  });
} catch {
  // Installed already in this worker process.
}
