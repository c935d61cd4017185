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

describe('entry modules (lint)', () => {
  /** Lints `source` as if it were a file at `path`, and returns the no-restricted-imports messages. */
  async function restrictedImports(path: string, source: string): Promise<string[]> {
    const { ESLint } = await import('eslint');
    const [result] = await new ESLint({ cwd: root }).lintText(source, { filePath: join(root, path) });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  it.each([
    ['src/main/probe.ts', "import { OutputTail } from '../server/output-tail';"],
    ['src/main/probe.ts', "import { DeliveryBatcher } from '../client/delivery-batcher';"],
    ['src/cli/commands/probe.ts', "import { RedisEngine } from '../../server/redis/redis-engine';"],
    ['src/preload/probe.ts', "import type { Delivery } from '../client/delivery';"],
    ['src/renderer/src/probe.ts', "import { ChannelStore } from '../../client/channel-store';"],
  ])('refuses a deep import of the hub or the client core from %s: %s', async (path, source) => {
    expect(await restrictedImports(path, `${source}\nexport {};\n`)).toHaveLength(1);
  });

  it.each([
    ['src/main/probe.ts', "import { startHub } from '../server/index';"],
    ['src/main/probe.ts', "import { DemoSimulator } from '../server/demo/index';"],
    ['src/cli/commands/probe.ts', "import { RedisEngine } from '../../server/redis/index';"],
    ['src/renderer/src/probe.ts', "import { ChannelStore } from '../../client/index';"],
    ['src/main/probe.ts', "import { parseChannel } from '../shared/protocol';"],
  ])('allows the entry modules and shared code from %s: %s', async (path, source) => {
    expect(await restrictedImports(path, `${source}\nexport {};\n`)).toEqual([]);
  });
});
