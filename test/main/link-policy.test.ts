import { describe, expect, it } from 'vitest';
import { isAllowedNavigation, isHubUrl, isSafeExternalUrl } from '../../src/main/link-policy';

describe('isSafeExternalUrl', () => {
  it('accepts http and https links and returns the parsed URL', () => {
    expect(isSafeExternalUrl('https://github.com/falcon/pm/pull/1?tab=files#diff')?.href).toBe(
      'https://github.com/falcon/pm/pull/1?tab=files#diff',
    );
    expect(isSafeExternalUrl('http://localhost:3002')?.href).toBe('http://localhost:3002/');
    expect(isSafeExternalUrl('http://[::1]:3002/')?.host).toBe('[::1]:3002');
    expect(isSafeExternalUrl('HTTPS://EXAMPLE.com/A')?.href).toBe('https://example.com/A');
  });

  it('returns the normalized href, which is what callers hand to the OS', () => {
    expect(isSafeExternalUrl('https://example.com/a/../b/%7euser')?.href).toBe('https://example.com/b/%7euser');
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['mixed-case javascript:', 'JaVaScRiPt:alert(1)'],
    ['file:', 'file:///etc/passwd'],
    ['smb:', 'smb://host/share'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['blob:', 'blob:https://example.com/0b7e3f7c-1f1e-4e0a-9a1b-2f1c3d4e5f6a'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['ms-settings:', 'ms-settings:privacy'],
    ['a custom scheme', 'vscode://file/etc/passwd'],
    ['mailto:', 'mailto:someone@example.com'],
    ['credentials', 'https://user:pass@example.com/'],
    ['a user name that looks like the host', 'https://github.com@attacker.example/'],
    ['a tab inside the scheme', 'java\tscript:alert(1)'],
    ['a newline inside the scheme', 'java\nscript:alert(1)'],
    ['a newline inside an http scheme', 'ht\ntps://example.com/'],
    ['a leading space', ' https://example.com/'],
    ['a NUL byte', 'https://example.com/\u0000'],
    ['a relative path', '/settings'],
    ['a scheme-relative URL', '//attacker.example/'],
    ['a bare host', 'example.com'],
    ['the empty string', ''],
    ['a huge URL', `https://example.com/${'a'.repeat(5000)}`],
  ])('rejects %s', (_name, text) => {
    expect(isSafeExternalUrl(text)).toBeNull();
  });

  it('rejects values that are not strings', () => {
    for (const value of [null, undefined, 42, {}, ['https://example.com']]) {
      expect(isSafeExternalUrl(value as unknown as string)).toBeNull();
    }
  });
});

describe('isAllowedNavigation', () => {
  const dev = ['http://localhost:5173'];
  const app = ['https://app.example.com'];
  const packaged = ['file:///opt/Falcon/resources/app.asar/out/renderer/'];

  it('allows any path on an allowed origin', () => {
    expect(isAllowedNavigation('http://localhost:5173/', dev)).toBe(true);
    expect(isAllowedNavigation('http://localhost:5173/index.html?window=agent#x', dev)).toBe(true);
    expect(isAllowedNavigation('https://app.example.com/board', app)).toBe(true);
    expect(isAllowedNavigation('http://[::1]:3002/', ['http://[::1]:3002'])).toBe(true);
  });

  it('compares origins exactly: scheme, host and port', () => {
    expect(isAllowedNavigation('https://app.example.com.attacker.com/', app)).toBe(false);
    expect(isAllowedNavigation('https://app.example.com@attacker.com/', app)).toBe(false);
    expect(isAllowedNavigation('https://evil-app.example.com/', app)).toBe(false);
    expect(isAllowedNavigation('https://sub.app.example.com/', app)).toBe(false);
    expect(isAllowedNavigation('http://app.example.com/', app)).toBe(false);
    expect(isAllowedNavigation('https://app.example.com:8443/', app)).toBe(false);
    expect(isAllowedNavigation('http://localhost:5174/', dev)).toBe(false);
    expect(isAllowedNavigation('http://127.0.0.1:5173/', dev)).toBe(false);
    expect(isAllowedNavigation('http://[::1]:3003/', ['http://[::1]:3002'])).toBe(false);
  });

  it('accepts an allowed entry written with a path or a trailing slash', () => {
    expect(isAllowedNavigation('http://localhost:5173/x', ['http://localhost:5173/'])).toBe(true);
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['mixed-case javascript:', 'JaVaScRiPt:alert(document.domain)'],
    ['data:', 'data:text/html,<h1>hi</h1>'],
    ['blob: of the allowed origin', 'blob:http://localhost:5173/0b7e3f7c-1f1e-4e0a-9a1b-2f1c3d4e5f6a'],
    ['smb:', 'smb://host/share'],
    ['file:', 'file:///etc/passwd'],
    ['a tab inside the scheme', 'java\tscript:alert(1)'],
    ['a newline inside the scheme', 'ht\ntp://localhost:5173/'],
    ['a relative path', '/index.html'],
    ['about:blank', 'about:blank'],
  ])('rejects %s against the dev origin', (_name, text) => {
    expect(isAllowedNavigation(text, dev)).toBe(false);
  });

  it('never matches opaque origins, even when one is listed', () => {
    expect(isAllowedNavigation('data:text/html,x', ['data:text/html,y'])).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)', ['javascript:void(0)'])).toBe(false);
    expect(isAllowedNavigation('http://localhost:5173/', ['null', 'not a url'])).toBe(false);
  });

  describe('with the packaged renderer directory', () => {
    it('allows files inside the directory', () => {
      expect(isAllowedNavigation('file:///opt/Falcon/resources/app.asar/out/renderer/index.html', packaged)).toBe(true);
      expect(
        isAllowedNavigation('file:///opt/Falcon/resources/app.asar/out/renderer/index.html?window=agent', packaged),
      ).toBe(true);
    });

    it('allows the directory even when the entry lacks its trailing slash', () => {
      expect(
        isAllowedNavigation('file:///opt/Falcon/resources/app.asar/out/renderer/index.html', [
          'file:///opt/Falcon/resources/app.asar/out/renderer',
        ]),
      ).toBe(true);
      expect(
        isAllowedNavigation('file:///opt/Falcon/resources/app.asar/out/renderer-evil/index.html', [
          'file:///opt/Falcon/resources/app.asar/out/renderer',
        ]),
      ).toBe(false);
    });

    it.each([
      ['/etc/passwd', 'file:///etc/passwd'],
      ['a sibling directory', 'file:///opt/Falcon/resources/app.asar/out/main/index.js'],
      ['a ".." escape', 'file:///opt/Falcon/resources/app.asar/out/renderer/../../../../etc/passwd'],
      ['an encoded ".." escape', 'file:///opt/Falcon/resources/app.asar/out/renderer/%2e%2e/%2E%2E/main/index.js'],
      ['an encoded slash', 'file:///opt/Falcon/resources/app.asar/out/renderer/..%2F..%2Fmain%2Findex.js'],
      ['an encoded backslash', 'file:///opt/Falcon/resources/app.asar/out/renderer/..%5C..%5Cmain'],
      ['another host (UNC)', 'file://attacker/opt/Falcon/resources/app.asar/out/renderer/index.html'],
      ['an http URL with the same path', 'http://localhost/opt/Falcon/resources/app.asar/out/renderer/index.html'],
    ])('rejects %s', (_name, text) => {
      expect(isAllowedNavigation(text, packaged)).toBe(false);
    });

    it('works with Windows drive paths', () => {
      const windows = ['file:///C:/Program%20Files/Falcon/resources/app.asar/out/renderer/'];
      expect(
        isAllowedNavigation('file:///C:/Program%20Files/Falcon/resources/app.asar/out/renderer/index.html', windows),
      ).toBe(true);
      expect(isAllowedNavigation('file:///C:/Windows/System32/calc.exe', windows)).toBe(false);
    });
  });

  it('allows nothing with an empty allow list', () => {
    expect(isAllowedNavigation('http://localhost:5173/', [])).toBe(false);
  });
});

describe('isHubUrl', () => {
  it('accepts the empty string (the built-in demo hub) and ws(s) URLs', () => {
    expect(isHubUrl('')).toBe(true);
    expect(isHubUrl('wss://falcon.example/ws')).toBe(true);
    expect(isHubUrl('ws://localhost:3002/ws?x=1')).toBe(true);
    expect(isHubUrl('ws://[::1]:3002/')).toBe(true);
  });

  it.each([
    ['an https URL', 'https://falcon.example/ws'],
    ['javascript:', 'javascript:alert(1)'],
    ['credentials', 'wss://user:pass@falcon.example/ws'],
    ['a fragment', 'wss://falcon.example/ws#frag'],
    ['an empty fragment', 'wss://falcon.example/ws#'],
    ['a newline', 'wss://falcon.example/\nws'],
    ['a leading space', ' wss://falcon.example/ws'],
    ['a bare host', 'falcon.example'],
    ['a URL over 2048 chars', `wss://falcon.example/${'a'.repeat(2048)}`],
  ])('rejects %s', (_name, text) => {
    expect(isHubUrl(text)).toBe(false);
  });
});
