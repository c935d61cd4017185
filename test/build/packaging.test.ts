import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createPackage, extractFile, listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../electron-builder.config.mjs';
import { APP_ID, APP_NAME } from '../../src/main/app-identity';

const root = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'falcon-asar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  if (!existsSync(join(root, 'out/main/index.js'))) {
    const { execFileSync } = await import('node:child_process');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  }
}, 120_000);

type Target = string | { target: string; arch?: string[] };
const names = (targets: unknown) => (targets as Target[]).map((t) => (typeof t === 'string' ? t : t.target));

describe('electron-builder configuration', () => {
  it('builds AppImage and deb, dmg for x64 and arm64, and NSIS', () => {
    expect(names(config.linux?.target)).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual([{ target: 'dmg', arch: ['x64', 'arm64'] }]);
    expect(names(config.win?.target)).toEqual(['nsis']);
  });

  it('names the app and ships it in an asar', () => {
    // Main sets the same id as the Windows AppUserModelID, so toasts match the installer's shortcut.
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe(APP_NAME);
    expect(config.productName).toBe('Falcon Monitor');
    expect(config.asar).toBe(true);
    expect(config.mac?.category).toBe('public.app-category.developer-tools');
    // Buttons on notifications (answering agents) need alert-style notifications on macOS.
    expect(config.mac?.extendInfo).toMatchObject({ NSUserNotificationAlertStyle: 'alert' });
    expect(config.linux?.category).toBe('Development');
  });

  it('flips the fuses of the security checklist', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: true,
    });
  });

  it("keeps electron-builder's default deb dependencies (setting deb.depends would replace them)", () => {
    expect(config.deb?.depends).toBeUndefined();
  });

  it('names the Linux desktop entry Electron looks for, and says which Node Electron needs', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string;
      desktopName: string;
      engines: { node: string };
    };
    // electron-builder's deb/AppImage write <package name>.desktop; Electron matches windows to it by desktopName.
    expect(pkg.desktopName).toBe(`${pkg.name}.desktop`);
    const electronPkg = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as {
      engines?: { node?: string };
    };
    expect(pkg.engines.node).toBe('>=22.12');
    if (electronPkg.engines?.node) expect(electronPkg.engines.node).toMatch(/22\.12/);
  });

  it('takes only the built app and its resources, never sources, tests, benchmarks or docs', () => {
    const files = config.files as string[];
    expect(files.filter((f) => !f.startsWith('!'))).toEqual([
      'out/main/**',
      'out/preload/**',
      'out/renderer/**',
      'resources/**',
      'package.json',
    ]);
    expect(files).toContain('!**/*.map');
    // The hub's precompressed copies of the web edition stay out of the desktop package.
    expect(files).toContain('!out/renderer/**/*.{br,gz}');
  });

  it('has one source icon large enough for every platform (≥ 512 px) and tray icons per state', () => {
    const png = readFileSync(join(root, config.icon as string));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    for (const state of ['connected', 'reconnecting', 'authFailed', 'offline', 'trayTemplate']) {
      expect(existsSync(join(root, `resources/tray/${state}.png`)), state).toBe(true);
      expect(existsSync(join(root, `resources/tray/${state}@2x.png`)), state).toBe(true);
    }
  });

  it('publishes nothing unless an update feed is configured', () => {
    expect(process.env.FALCON_UPDATE_URL ? config.publish : null).toBeNull();
  });
});

describe('the packaged app.asar', () => {
  let asar = '';
  let entries: string[] = [];

  beforeAll(async () => {
    // Stage what electron-builder's `files` selects, plus the production package.json.
    const stage = join(work, 'app');
    for (const pattern of (config.files as string[]).filter((f) => f.endsWith('/**'))) {
      const dir = pattern.slice(0, -3);
      cpSync(join(root, dir), join(stage, dir), { recursive: true, filter: (path) => !/\.(map|br|gz)$/.test(path) });
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    const { devDependencies: _dev, scripts: _scripts, ...production } = pkg;
    mkdirSync(stage, { recursive: true });
    writeFileSync(join(stage, 'package.json'), JSON.stringify(production, null, 2));
    asar = join(work, 'app.asar');
    await createPackage(stage, asar);
    entries = listPackage(asar, { isPack: false }).map((entry) => entry.replace(/\\/g, '/'));
  });

  it('holds what the app needs', () => {
    for (const file of [
      '/package.json',
      '/out/main/index.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      '/resources/tray/connected.png',
    ]) {
      expect(entries, file).toContain(file);
    }
    const pkg = JSON.parse(extractFile(asar, 'package.json').toString()) as {
      main: string;
      devDependencies?: unknown;
      scripts?: unknown;
    };
    expect(entries).toContain(`/${pkg.main.replace(/^\.\//, '')}`);
    expect(pkg.devDependencies).toBeUndefined();
    expect(pkg.scripts).toBeUndefined();
  });

  it('holds nothing it should not: no sources, tests, benchmarks, docs, source maps or devDependencies', () => {
    const forbidden = entries.filter((entry) =>
      /^\/(src|test|bench|docs|node_modules|\.github|\.ci)\/|\.(map|br|gz)$|\/(react|react-dom|vitest|typescript|electron)\//.test(
        entry,
      ),
    );
    expect(forbidden).toEqual([]);
  });

  it('reports its size', () => {
    const bytes = statSync(asar).size;
    const files = entries.filter((entry) => !readdirSafe(entry)).length;
    console.info(`app.asar: ${(bytes / 1024 / 1024).toFixed(2)} MiB, ${entries.length} entries (${files} files)`);
    // The renderer bundle dominates; a jump here means something unintended got in.
    expect(bytes).toBeLessThan(20 * 1024 * 1024);
  });
});

function readdirSafe(entry: string): boolean {
  try {
    return readdirSync(join(work, 'app', relative('/', entry))).length >= 0;
  } catch {
    return false;
  }
}
