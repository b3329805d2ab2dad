// setupFiles of the integration project: before any test module loads its configuration.
import { useTestNamespace } from './test-namespace';

useTestNamespace();
