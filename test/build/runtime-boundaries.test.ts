import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const probes: string[] = [];

/** Type-checks `source` as if it were a file of the given project, and returns the diagnostics' text. */
function compileAs(project: string, folder: string, source: string): string[] {
  mkdirSync(join(root, folder), { recursive: true });
  const dir = mkdtempSync(join(root, folder, '__boundary-probe-'));
  probes.push(dir);
  const file = join(dir, 'probe.ts');
  writeFileSync(file, source);
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, project),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`cannot read ${project}`);
  const program = ts.createProgram({
    rootNames: [file],
    options: { ...config.options, noEmit: true, composite: false, emitDeclarationOnly: false },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) => `${d.file ? relative(root, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    );
}

afterAll(() => {
  for (const dir of probes) rmSync(dir, { recursive: true, force: true });
});

describe('runtime boundaries', () => {
  it('fails to compile a renderer file that imports a Node built-in', () => {
    const errors = compileAs(
      'tsconfig.web.json',
      'src/renderer',
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
    );
    expect(errors.join('\n')).toMatch(/node built-ins cannot be imported in the browser runtime/);
  });

  it('fails to compile a renderer file that imports electron', () => {
    const errors = compileAs(
      'tsconfig.web.json',
      'src/renderer',
      "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n",
    );
    expect(errors.join('\n')).toMatch(/electron cannot be imported/);
  });

  it('fails to compile a hub file that imports electron', () => {
    const errors = compileAs(
      'tsconfig.server.json',
      'src/server',
      "import { app } from 'electron';\nexport const x = app;\n",
    );
    expect(errors.join('\n')).toMatch(/electron cannot be imported/);
  });

  it('compiles a renderer file that imports the shared protocol', () => {
    const errors = compileAs(
      'tsconfig.web.json',
      'src/renderer',
      "import { isChannel } from '../../shared/protocol';\nexport const ok: boolean = isChannel('issue:1');\n",
    );
    expect(errors).toEqual([]);
  });
});
