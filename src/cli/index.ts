import { ExitCode, UsageError } from './errors';
import { createProgram } from './program';

const program = createProgram();
program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`falcon: ${message.split('\n')[0]}\n`);
  process.exitCode = error instanceof UsageError ? ExitCode.Usage : ExitCode.Failure;
});
