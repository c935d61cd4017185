/** Exit codes of every `falcon` command: scripts may rely on them. */
export const ExitCode = {
  Ok: 0,
  /** Something failed at run time: the hub refused, the network is down, the port is taken. */
  Failure: 1,
  /** The command line or the configuration is wrong; running again unchanged cannot succeed. */
  Usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A bad flag, argument or setting: reported on one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
