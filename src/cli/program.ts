import { Command, CommanderError } from 'commander';

export const EXIT_USAGE = 2;

/**
 * The `falcon` command line. Each subcommand lives in its own module and is
 * registered here; bad flags exit with code 2 and a one-line message.
 */
export function createProgram(): Command {
  const program = new Command('falcon')
    .description('Falcon Monitor: the realtime hub for falcon-pm and tools to watch it')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError(false)
    .exitOverride((error: CommanderError) => {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') process.exit(0);
      if (error.code === 'commander.help') process.exit(0);
      process.exit(EXIT_USAGE);
    });
  return program;
}
