#!/usr/bin/env node
// The installed `falcon` command runs the CLI built by `npm run build` (out/cli).
// From a source checkout without a build, use `npm run falcon -- <command>`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../out/cli/index.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write(
    'falcon: the CLI is not built yet; run `npm run build` (or use `npm run falcon -- <command>`)\n',
  );
  process.exit(1);
}
await import(entry);
