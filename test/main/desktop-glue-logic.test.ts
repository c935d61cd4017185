/** The small decisions the Electron glue delegates: window placement, tray presence, proxies, menu, updater. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicationMenuTemplate } from '../../src/main/app-menu';
import { desktopHasTray, proxyFromPac } from '../../src/main/desktop-environment';
import { autoUpdaterOf } from '../../src/main/updater-export';
import { fitToDisplays } from '../../src/main/window-bounds';

const laptop = { x: 0, y: 0, width: 1440, height: 875 };
const external = { x: 1440, y: 0, width: 2560, height: 1415 };

describe('fitToDisplays', () => {
  it('keeps bounds that are on a connected display', () => {
    const bounds = { x: 1600, y: 100, width: 1200, height: 800, maximized: false };
    expect(fitToDisplays(bounds, [laptop, external])).toEqual(bounds);
  });

  it('drops the position of a window saved on a display that is gone, keeping its size', () => {
    const bounds = { x: 1600, y: 100, width: 1200, height: 800, maximized: true };
    expect(fitToDisplays(bounds, [laptop])).toEqual({ width: 1200, height: 800, maximized: true });
  });

  it('drops a position whose title bar would be off screen, or only a sliver on it', () => {
    expect(fitToDisplays({ x: 100, y: -500, width: 800, height: 600, maximized: false }, [laptop])).not.toHaveProperty(
      'x',
    );
    expect(fitToDisplays({ x: 1400, y: 10, width: 800, height: 600, maximized: false }, [laptop])).not.toHaveProperty(
      'x',
    );
  });

  it('shrinks a size larger than every display', () => {
    expect(fitToDisplays({ x: 0, y: 0, width: 5000, height: 3000, maximized: false }, [laptop])).toEqual({
      x: 0,
      y: 0,
      width: 1440,
      height: 875,
      maximized: false,
    });
  });
});

describe('desktopHasTray', () => {
  it('is false on stock GNOME only', () => {
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'GNOME' })).toBe(false);
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' })).toBe(true);
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'KDE' })).toBe(true);
    expect(desktopHasTray('linux', {})).toBe(true);
    expect(desktopHasTray('win32', { XDG_CURRENT_DESKTOP: 'GNOME' })).toBe(true);
    expect(desktopHasTray('darwin', {})).toBe(true);
  });
});

describe('proxyFromPac', () => {
  it('reads the first rule of what session.resolveProxy answers', () => {
    expect(proxyFromPac('DIRECT')).toEqual({ kind: 'direct' });
    expect(proxyFromPac('')).toEqual({ kind: 'direct' });
    expect(proxyFromPac('PROXY proxy.corp:3128; DIRECT')).toEqual({ kind: 'http', url: 'http://proxy.corp:3128' });
    expect(proxyFromPac('HTTPS secure.corp:443')).toEqual({ kind: 'http', url: 'https://secure.corp:443' });
    expect(proxyFromPac('SOCKS5 socks.corp:1080')).toEqual({ kind: 'unsupported', rule: 'SOCKS5 socks.corp:1080' });
    expect(proxyFromPac('PROXY a/b')).toMatchObject({ kind: 'unsupported' });
  });
});

describe('applicationMenuTemplate', () => {
  const roles = (packaged: boolean) => {
    const view = applicationMenuTemplate({ isMac: false, packaged, about: () => {} }).find((m) => m.label === 'View');
    return (view?.submenu as Array<{ role?: string }>).map((item) => item.role);
  };
  it('has reload in View, and DevTools only in unpackaged builds', () => {
    expect(roles(false)).toContain('reload');
    expect(roles(false)).toContain('toggleDevTools');
    expect(roles(true)).toContain('reload');
    expect(roles(true)).not.toContain('toggleDevTools');
  });
});

describe('autoUpdaterOf', () => {
  it('reaches electron-updater through its default export: the named export is undefined under ESM', () => {
    // In a child process where `electron` is a stand-in (requiring the real package would try to fetch its binary).
    const script = `
      const module = await import('electron-updater');
      const getter = Object.getOwnPropertyDescriptor(module.default, 'autoUpdater')?.get;
      console.log(JSON.stringify({ named: typeof module.autoUpdater, getter: typeof getter }));`;
    const output = execFileSync(
      process.execPath,
      [
        '--require',
        join(import.meta.dirname, '../fixtures/electron-stub-require.cjs'),
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: join(import.meta.dirname, '../..'), encoding: 'utf8' },
    );
    // The bug: CommonJS lazy getters are invisible to ESM named exports; the default export has it.
    expect(JSON.parse(output)).toEqual({ named: 'undefined', getter: 'function' });
    const fake = { autoUpdater: 'named', default: { autoUpdater: 'the updater' } };
    expect(autoUpdaterOf(fake)).toBe('the updater');
    expect(autoUpdaterOf({ autoUpdater: 'plain' })).toBe('plain');
  });
});
