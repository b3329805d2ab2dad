#!/usr/bin/env node
import { exitCodeFor } from './errors';
import { processIo } from './output';
import { buildProgram } from './program';

buildProgram(processIo)
  .parseAsync(process.argv)
  .then(
    () => {
      // A command that left no handles open ends here; servers keep the loop alive themselves.
    },
    (error: unknown) => {
      process.exitCode = exitCodeFor(error, processIo.err);
    },
  );
