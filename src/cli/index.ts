import { createProgram } from './program';

const program = createProgram();
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`falcon: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
