import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  contentSecurityPolicy,
  rendererFileFor,
  rendererSource,
} from '../../src/main/renderer-source';
import { isAllowedNavigation } from '../../src/main/link-policy';
import { expectRendererPolicy, parsePolicy } from '../helpers/csp';

const root = mkdtempSync(join(tmpdir(), 'falcon-renderer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('rendererSource', () => {
  it('serves a built renderer from app://falcon and trusts only that origin', () => {
    expect(rendererSource({ isPackaged: false, devUrl: undefined })).toEqual({
      url: APP_ENTRY_URL,
      origins: [APP_ORIGIN],
      dev: false,
    });
    expect(APP_ENTRY_URL).toBe('app://falcon/index.html');
  });

  it('uses the dev server only in an unpackaged app', () => {
    expect(rendererSource({ isPackaged: false, devUrl: 'http://localhost:5173/' })).toEqual({
      url: 'http://localhost:5173/',
      origins: ['http://localhost:5173'],
      dev: true,
    });
    // A packaged app never obeys ELECTRON_RENDERER_URL.
    expect(rendererSource({ isPackaged: true, devUrl: 'http://localhost:5173/' }).url).toBe(APP_ENTRY_URL);
  });

  it('ignores a dev URL that is not http(s)', () => {
    for (const devUrl of ['file:///etc/passwd', 'javascript:alert(1)', 'not a url', '']) {
      expect(rendererSource({ isPackaged: false, devUrl }).dev, devUrl).toBe(false);
    }
  });
});

describe('rendererFileFor', () => {
  it('maps paths under the renderer folder, / to index.html', () => {
    expect(rendererFileFor('app://falcon/', root)).toBe(join(root, 'index.html'));
    expect(rendererFileFor('app://falcon/index.html', root)).toBe(join(root, 'index.html'));
    expect(rendererFileFor('app://falcon/assets/index-abc.js?v=1#x', root)).toBe(join(root, 'assets', 'index-abc.js'));
    expect(rendererFileFor('app://falcon/assets/a%20b.css', root)).toBe(join(root, 'assets', 'a b.css'));
  });

  it('refuses anything that could leave the folder or is not ours', () => {
    for (const url of [
      'app://falcon/assets/%2f..%2f..%2fsecret',
      'app://falcon/assets/..%5c..%5csecret',
      'app://falcon/a\\..\\..\\secret',
      'app://falcon/%00.js',
      'app://falcon/%E0%A4%A',
      'app://other/index.html',
      'app://user:pass@falcon/index.html',
      'file:///etc/passwd',
      'https://falcon/index.html',
      'not a url',
    ]) {
      expect(rendererFileFor(url, root), url).toBeNull();
    }
    // The parser resolves dot segments, plain or encoded, at the root before we look: these stay inside.
    expect(rendererFileFor('app://falcon/assets/../../../index.html', root)).toBe(join(root, 'index.html'));
    const encoded = rendererFileFor('app://falcon/%2e%2e/%2e%2e/etc/passwd', root);
    expect(encoded).toBe(join(root, 'etc', 'passwd'));
    expect(encoded?.startsWith(root + sep)).toBe(true);
  });
});

describe('navigation and IPC trust for app://falcon', () => {
  it('allows our own host only', () => {
    expect(isAllowedNavigation('app://falcon/index.html', [APP_ORIGIN])).toBe(true);
    expect(isAllowedNavigation('app://falcon/#/agent/x', [APP_ORIGIN])).toBe(true);
    for (const url of [
      'app://falcon.evil/index.html',
      'app://evil/index.html',
      'app://u:p@falcon/index.html',
      'app://falcon/%2f..%2fx',
      'file:///index.html',
    ]) {
      expect(isAllowedNavigation(url, [APP_ORIGIN]), url).toBe(false);
    }
  });
});

describe('contentSecurityPolicy', () => {
  it('lets a built renderer run only its own scripts: no inline, no eval, no plugins, no framing', () => {
    expectRendererPolicy(contentSecurityPolicy({ dev: false }), { dev: false, header: true });
  });

  it('differs in dev only by allowing inline scripts (the React refresh preamble)', () => {
    expectRendererPolicy(contentSecurityPolicy({ dev: true }), { dev: true, header: true });
    const built = parsePolicy(contentSecurityPolicy({ dev: false })).directives;
    const dev = parsePolicy(contentSecurityPolicy({ dev: true })).directives;
    const changed = [...new Set([...built.keys(), ...dev.keys()])].filter(
      (name) => JSON.stringify(built.get(name)) !== JSON.stringify(dev.get(name)),
    );
    expect(changed).toEqual(['script-src']);
    const added = (dev.get('script-src') ?? []).filter((source) => !built.get('script-src')?.includes(source));
    expect(added).toEqual(["'unsafe-inline'"]);
  });
});
