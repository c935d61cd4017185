import type { Command } from 'commander';
import { secretKey, signToken } from '../../server/auth';
import { UsageError } from '../errors';
import { parseChannelPatterns, parseLifetime } from '../flag-values';
import { SECRET_ENV, requireSecret } from '../secret';

interface TokenFlags {
  user: string;
  channels: string;
  publish?: boolean;
  ttl: string;
  secretFile?: string;
}

/** `--ttl never`: a token that does not expire (for services; revoke by rotating the secret). */
export const NEVER = 'never';

export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description('sign a hub token and print it')
    .requiredOption('--user <name>', 'who the token is for (its sub)')
    .requiredOption('--channels <patterns>', "comma-separated channel globs it may read, e.g. 'project:*,agent:*'")
    .option('--publish', 'also allow publishing through the HTTP API')
    .option('--ttl <duration>', `lifetime: 90s, 15m, 24h, 30d, or "${NEVER}" for no expiry`, '24h')
    .option('--secret-file <file>', `file holding the hub's secret; default: $${SECRET_ENV}`)
    .addHelpText(
      'after',
      '\nPrints only the token and a newline, for $(falcon token …) in scripts.\n' +
        `A "${NEVER}" token stays valid until the hub's secret changes.`,
    )
    .action(async (flags: TokenFlags) => {
      const user = flags.user.trim();
      if (user === '' || user.length > 256) throw new UsageError('--user must be 1–256 characters');
      const channels = parseChannelPatterns(flags.channels);
      const ttlSeconds = flags.ttl.trim() === NEVER ? undefined : parseLifetime(flags.ttl, '--ttl');
      const key = secretKey(requireSecret(flags.secretFile));
      const token = await signToken({ user, channels, publish: flags.publish === true, ttlSeconds }, key);
      process.stdout.write(`${token}\n`);
    });
}
