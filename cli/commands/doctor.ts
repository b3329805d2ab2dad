import { Command } from 'commander';
import { pc } from '../output';
import { loadConfig } from '../../lib/config';
import { runDoctor, type Check } from '../../stack/doctor';
import { CliError } from '../errors';
import { render, table, type Io } from '../output';

const mark: Record<Check['result'], string> = { ok: pc.green('ok'), warn: pc.yellow('warn'), fail: pc.red('FAIL') };

/** `petstore doctor`: prerequisites and connectivity, each with what to fix. */
export function doctorCommand(io: Io): Command {
  return new Command('doctor')
    .description('check prerequisites (Node, Java, PostgreSQL binaries, Temporal CLI), how each part is secured (TLS, SASL; no secrets shown) and that it answers; says what to fix')
    .option('--json', 'print the checks as one JSON document')
    .addHelpText('after', '\nExit code 1 when any check fails.\n\nExample:\n  $ petstore doctor')
    .action(async (options: { json?: boolean }) => {
      const checks = await runDoctor(loadConfig());
      render(io, options, { checks }, ({ checks: c }) =>
        table(['check', 'result', 'detail', 'fix'], c.map((x) => [x.check, mark[x.result], x.detail, x.fix ?? ''])),
      );
      const failed = checks.filter((c) => c.result === 'fail');
      if (failed.length > 0) throw new CliError(`${failed.length} check(s) failed: ${failed.map((c) => c.check).join(', ')}`);
    });
}
