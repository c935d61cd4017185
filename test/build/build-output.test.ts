import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { effectiveSources, parsePolicy } from '../helpers/csp';

const root = join(import.meta.dirname, '../..');
const out = join(root, 'out');

// `npm test` builds first; a lone `vitest run` builds here so the test never reads stale absence.
beforeAll(() => {
  if (!existsSync(join(out, 'preload/index.cjs')) || !existsSync(join(out, 'cli/index.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  }
}, 120_000);

describe('npm run build', () => {
  it('produces out/main, out/preload, out/renderer and out/cli', () => {
    expect(existsSync(join(out, 'main/index.js'))).toBe(true);
    expect(existsSync(join(out, 'preload/index.cjs'))).toBe(true);
    expect(existsSync(join(out, 'renderer/index.html'))).toBe(true);
    expect(existsSync(join(out, 'cli/index.js'))).toBe(true);
    expect(readdirSync(join(out, 'renderer/assets')).some((file) => file.endsWith('.js'))).toBe(true);
  });

  it('emits a preload that requires nothing but electron (a sandboxed preload can load nothing else)', () => {
    const source = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    const required = [...source.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1]);
    expect(required).toContain('electron');
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(source).not.toMatch(/\bimport\s*[\s{*][^;]*from\s*["']/);
    expect(source).not.toMatch(/\bimport\(/);
  });

  it('loads the renderer with relative asset paths, so app://falcon and the hub can both serve it', () => {
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
    expect(html).toMatch(/src="\.\/assets\/[^"]+\.js"/);
  });

  it('lets the built page run its own scripts only (inline scripts are allowed on the dev server only)', () => {
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
    const metas = [...html.matchAll(/<meta\s[^>]*http-equiv="Content-Security-Policy"[^>]*>/gi)];
    expect(metas).toHaveLength(1);
    const policy = parsePolicy(/content="([^"]*)"/.exec(metas[0][0])?.[1] ?? '');
    expect(policy.repeated).toEqual([]);
    // The web edition has no other policy (the hub sends no CSP header): this tag is what a browser enforces.
    expect(effectiveSources(policy, 'script-src')).toEqual(["'self'"]);
    expect(effectiveSources(policy, 'script-src-elem')).toEqual(["'self'"]);
    expect(effectiveSources(policy, 'default-src')).toEqual(["'self'"]);
    expect(effectiveSources(policy, 'connect-src')).toEqual(expect.arrayContaining(["'self'", 'ws:', 'wss:']));
    // No plugins, and no <base> to re-point the page's relative URLs (meta tags cannot set frame-ancestors).
    expect(effectiveSources(policy, 'object-src')).toEqual(["'none'"]);
    expect(effectiveSources(policy, 'base-uri')).toEqual(["'none'"]);
    // Every script the page loads is a file of the build, which 'self' covers; none is inline.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  });

  it('writes a .br and a .gz copy beside every text asset of 1 KiB or more, each decoding to the asset', () => {
    const assets = join(out, 'renderer/assets');
    const files = readdirSync(assets);
    const text = files.filter((file) => /\.(js|css)$/.test(file));
    expect(text.length).toBeGreaterThan(0);
    for (const file of text) {
      const source = readFileSync(join(assets, file));
      if (source.length < 1024) continue;
      expect(files, file).toContain(`${file}.br`);
      expect(files, file).toContain(`${file}.gz`);
      expect(brotliDecompressSync(readFileSync(join(assets, `${file}.br`))).equals(source), file).toBe(true);
      expect(gunzipSync(readFileSync(join(assets, `${file}.gz`))).equals(source), file).toBe(true);
    }
    const index = readFileSync(join(out, 'renderer/index.html'));
    expect(gunzipSync(readFileSync(join(out, 'renderer/index.html.gz'))).equals(index)).toBe(true);
  });

  it('leaves xterm.js and its WebGL addon out of what the page loads at start (they load with the first pane)', () => {
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
    // The entry script, its preloaded chunks and stylesheets: everything the page fetches before it runs.
    const eager = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((match) => match[1]);
    expect(eager.some((file) => file.endsWith('.js'))).toBe(true);
    const eagerText = eager.map((file) => readFileSync(join(out, 'renderer', file), 'utf8')).join('\n');
    const all = readdirSync(join(out, 'renderer/assets'))
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(join(out, 'renderer/assets', file), 'utf8'))
      .join('\n');
    // Strings of xterm's Terminal.open and of the WebGL addon's texture atlas: minification keeps them.
    for (const marker of ['Terminal requires a parent element', 'createTexture']) {
      expect(all, marker).toContain(marker);
      expect(eagerText, marker).not.toContain(marker);
    }
  });
});
