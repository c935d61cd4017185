import { canPin } from './processes';

/** `command` as [file, args], run under `taskset -c <core>` when a core is given and pinning works. */
export function pinned(core: number | undefined, command: string[]): [string, string[]] {
  const full = core !== undefined && canPin() ? ['taskset', '-c', String(core), ...command] : command;
  return [full[0], full.slice(1)];
}
