import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { ROLE, ROLES, isRole, issueToken, maxTtlSeconds, type Role } from '../../lib/auth';
import { loadConfig } from '../../lib/config';
import { parseDuration } from '../../lib/duration';
import { CliError, EXIT } from '../errors';
import { render, type Io } from '../output';

const roleOption = () =>
  new Option('--role <role>', `who the token speaks for: ${ROLES.join(', ')}`).makeOptionMandatory().argParser((value: string): Role => {
    if (!isRole(value)) throw new CliError(`unknown role "${value}" (choose from ${ROLES.join(', ')})`, EXIT.usage);
    return value;
  });

const ttlOption = () =>
  new Option('--ttl <duration>', 'lifetime, e.g. 90s, 15m, 1h').default(3600, '1h').argParser((value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < 1000) throw new CliError(`--ttl must be a duration of at least 1s such as 90s, 15m or 1h, got "${value}"`, EXIT.usage);
    return Math.floor(ms / 1000);
  });

/** `petstore auth token`: signs a bearer token for the REST API (dev and support use). */
export function authCommand(io: Io): Command {
  const auth = new Command('auth')
    .description('bearer tokens for the REST API')
    .addHelpText('after', '\nExample:\n  $ petstore auth token --role support');

  auth
    .command('token')
    .description('print a signed bearer token (HS256, with the configured issuer and audience) on stdout')
    .addOption(roleOption())
    .option('--user <id>', 'who the token is for (the sub claim, which the audit records); required for --role customer, else your login name')
    .addOption(ttlOption())
    .option('--json', 'print { token, role, userId, expiresAt } instead of the bare token')
    .addHelpText(
      'after',
      '\nThe secret is JWT_SECRET, else the one generated once into the data folder (the API uses the same).\n\n' +
        'Example:\n  $ TOKEN=$(petstore auth token --role admin)\n  $ curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/pets\n' +
        '  $ petstore auth token --role customer --user alice --ttl 15m',
    )
    .action((options: { role: Role; user?: string; ttl: number; json?: boolean }) => {
      if (options.role === ROLE.customer && !options.user) throw new CliError('--role customer needs --user <id>: a customer token names its user', EXIT.usage);
      const config = loadConfig();
      // Staff tokens name a person too, so the audit says who cancelled or refunded: by default whoever runs this.
      const userId = options.user ?? userInfo().username;
      if (options.ttl > maxTtlSeconds(config)) throw new CliError(`--ttl is longer than JWT_MAX_TTL (${maxTtlSeconds(config)} s): the API would refuse the token`, EXIT.usage);
      const token = issueToken(config, { role: options.role, ttlSeconds: options.ttl, userId });
      const expiresAt = new Date(Date.now() + options.ttl * 1000).toISOString();
      render(io, options, { token, role: options.role, userId, expiresAt }, (data) => data.token);
    });

  return auth;
}
