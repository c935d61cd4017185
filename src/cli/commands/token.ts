import type { Command } from 'commander';
import { isKeyId, secretKey, signToken } from '../../server/index';
import { UsageError } from '../errors';
import { parseChannelPatterns, parseLifetime } from '../flag-values';
import { SECRET_ENV, requireSecret } from '../secret';

interface TokenFlags {
  user: string;
  channels: string;
  publish?: boolean;
  act?: string;
  ttl: string;
  secretFile?: string;
  kid?: string;
  audience?: string;
  issuer?: string;
}

/**
 * `--ttl never`: a token that does not expire (for services; revoke by
 * rotating the secret). Hubs refuse it unless run with --allow-non-expiring-tokens.
 */
export const NEVER = 'never';

export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description('sign a hub token and print it')
    .requiredOption('--user <name>', 'who the token is for (its sub)')
    .requiredOption('--channels <patterns>', "comma-separated channel globs it may read, e.g. 'project:*,agent:*'")
    .option('--publish', 'also allow publishing through the HTTP API')
    .option('--act <patterns>', "comma-separated channel globs whose agents it may answer, e.g. 'agent:*'")
    .option('--ttl <duration>', `lifetime: 90s, 15m, 24h, 30d, or "${NEVER}" for no expiry`, '24h')
    .option('--secret-file <file>', `file holding the hub's secret; default: $${SECRET_ENV}`)
    .option('--kid <id>', 'key id to put in the header: the hub verifies the token with its secret of that kid')
    .option('--audience <aud>', 'the aud claim, for hubs run with --token-audience')
    .option('--issuer <iss>', 'the iss claim, for hubs run with --token-issuer')
    .addHelpText(
      'after',
      '\nPrints only the token and a newline, for $(falcon token …) in scripts.\n' +
        'In --channels, * matches any run of characters, colons included, and a pattern must match the\n' +
        "whole channel: 'project:a*' matches project:a, project:api and project:admin; '*' matches all.\n" +
        '--act takes the same globs: reading a channel never allows answering its agents.\n' +
        'Hubs refuse tokens living longer than their --max-token-ttl (default 30d), and\n' +
        `"${NEVER}" tokens unless run with --allow-non-expiring-tokens; such a token stays valid\n` +
        'until the hub drops its secret.',
    )
    .action(async (flags: TokenFlags) => {
      const user = flags.user.trim();
      if (user === '' || user.length > 256) throw new UsageError('--user must be 1–256 characters');
      const channels = parseChannelPatterns(flags.channels);
      const actOn = flags.act === undefined ? [] : parseChannelPatterns(flags.act, '--act');
      const ttlSeconds = flags.ttl.trim() === NEVER ? null : parseLifetime(flags.ttl, '--ttl');
      const kid = flags.kid?.trim();
      if (kid !== undefined && !isKeyId(kid)) {
        throw new UsageError('--kid must be 1–64 letters, digits, ".", "_" or "-"');
      }
      const audience = claimFlag(flags.audience, '--audience');
      const issuer = claimFlag(flags.issuer, '--issuer');
      const key = secretKey(requireSecret(flags.secretFile));
      const token = await signToken(
        {
          user,
          channels,
          publish: flags.publish === true,
          actOn,
          ttlSeconds,
          ...(kid !== undefined ? { kid } : {}),
          ...(audience !== undefined ? { audience } : {}),
          ...(issuer !== undefined ? { issuer } : {}),
        },
        key,
      );
      process.stdout.write(`${token}\n`);
    });
}

function claimFlag(text: string | undefined, flag: string): string | undefined {
  if (text === undefined) return undefined;
  const value = text.trim();
  if (value === '' || value.length > 256) throw new UsageError(`${flag} must be 1–256 characters`);
  return value;
}
