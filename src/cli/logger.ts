import { type Level, type Logger, pino } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = Level | 'silent';

/** Anything that could carry a credential, at the top level or one object down (`query.token`). */
const REDACTED_PATHS = [
  'token',
  'secret',
  'authorization',
  '*.token',
  '*.secret',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * JSON logs on stderr, so stdout carries only what the command prints for
 * people and scripts (URLs, tokens). Writes are synchronous: log volume is one
 * line per connection, and nothing is lost when the process exits.
 */
export function createCliLogger(level: LogLevel): Logger {
  return pino(
    { name: 'falcon', level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: 2, sync: true }),
  );
}
