import { rmSync } from 'node:fs';
import { join } from 'node:path';

/** Each reliability run starts a fresh figures file, so docs/reliability.md reports one run only. */
export default function setup(): void {
  rmSync(join(import.meta.dirname, '../../bench/results/reliability.json'), { force: true });
}
