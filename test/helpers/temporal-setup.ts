// jest setupFiles for the Temporal projects: the SDK's own logs at WARN, so test output stays readable.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Installed already in this worker process.
}
