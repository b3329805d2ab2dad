// The dependency-direction rules in eslint.config.js, proved to fire: each case feeds the linter one
// deliberately wrong import in a file of the folder the rule guards and expects the rule's own message.
import { ESLint } from 'eslint';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
// The config is handed over as a value: ESLint's own loader imports it dynamically, which jest's VM refuses.
// The type-aware rules need the file in a TypeScript project; these texts are not on disk.
const config = require('../../eslint.config.js') as ESLint.Options['baseConfig'];
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  baseConfig: config,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});

async function messagesFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('import rules', () => {
  it.each([
    ['workflows/example.ts', '../activities/orders', 'workflows import'],
    ['workflows/example.ts', 'node:fs', "Temporal's deterministic sandbox"],
    ['domain/example.ts', '../lib/config', 'domain imports nothing of ours'],
    ['domain/example.ts', 'crypto', 'domain is pure'],
    ['api/routes/example.ts', '../../activities', 'api and cli never import activities'],
    ['cli/commands/example.ts', '../../workflows', 'api and cli import workflows as types only'],
    ['support/example.ts', '../cli/index', 'support/ gathers data for the CLI'],
    ['bench/ceiling-workflow.ts', './ceiling', 'the ceiling workflow imports no other bench module'],
    ['bench/ceiling-workflow.ts', 'node:timers', "Temporal's deterministic sandbox"],
  ])('%s importing %s is refused', async (file, from, message) => {
    expect((await messagesFor(file, `import { x } from '${from}';\nvoid x;\n`)).join('\n')).toContain(message);
  });

  it('allows what the rules allow', async () => {
    expect(await messagesFor('workflows/example.ts', "import type { OrderActivities } from '../activities';\nexport type A = OrderActivities;\n")).toEqual([]);
    expect(await messagesFor('cli/commands/example.ts', "import type { OrderSagaInput } from '../../workflows/definitions';\nexport type I = OrderSagaInput;\n")).toEqual([]);
  });
});
