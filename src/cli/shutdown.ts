import { ExitCode } from './errors';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * On the first SIGINT or SIGTERM runs `shutdown`, then exits 0 (1 if it
 * failed). A second signal while shutting down exits at once: an operator
 * pressing Ctrl-C twice wants out, not a longer wait. Returns its undo.
 */
export function onShutdownSignal(shutdown: (signal: NodeJS.Signals) => Promise<void>): () => void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`falcon: ${signal} again, exiting without waiting\n`);
      process.exit(ExitCode.Failure);
    }
    stopping = true;
    shutdown(signal).then(
      () => process.exit(ExitCode.Ok),
      (error: unknown) => {
        process.stderr.write(`falcon: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(ExitCode.Failure);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, handle);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handle);
  };
}
