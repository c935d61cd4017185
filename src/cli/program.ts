import { Command, type CommanderError } from 'commander';
import { registerHubCommand } from './commands/hub';
import { registerPublishCommand } from './commands/publish';
import { registerReplyCommand } from './commands/reply';
import { registerTailCommand } from './commands/tail';
import { registerTokenCommand } from './commands/token';
import { ExitCode } from './errors';

/**
 * The `falcon` command line. Each subcommand lives in its own module and is
 * registered here; bad flags exit with code 2 and a one-line message.
 */
export function createProgram(): Command {
  const program = new Command('falcon')
    .description('Falcon Monitor: the realtime hub for falcon-pm and tools to watch it')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError(false)
    .configureOutput({ outputError: (text, write) => write(oneLine(text)) })
    .exitOverride((error: CommanderError) => {
      // --help, --version and `falcon help` exit 0; everything else commander rejects is a usage error,
      // including a bare `falcon`, which prints help to stderr.
      process.exit(error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage);
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 runtime failure, 2 bad flags or configuration.\n' +
        'Run `falcon <command> --help` for a command’s flags.',
    );
  // Registered with program.command(), so each subcommand inherits the exit and output handling above.
  registerHubCommand(program);
  registerTokenCommand(program);
  registerPublishCommand(program);
  registerTailCommand(program);
  registerReplyCommand(program);
  return program;
}

/** Commander's errors as one `falcon: …` line, with its "(Did you mean …?)" hint on the same line. */
function oneLine(text: string): string {
  return `${text
    .replace(/^error: /, 'falcon: ')
    .trim()
    .replace(/\s*\n\s*/g, ' ')}\n`;
}
