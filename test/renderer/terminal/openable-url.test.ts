import { describe, expect, it } from 'vitest';
import { isOpenableUrl } from '../../../src/renderer/src/terminal/openable-url';

describe('isOpenableUrl', () => {
  it.each([
    'https://ok',
    'http://localhost:5173/x?y=1#z',
    'HTTPS://Example.com/path',
    'https://app.example.com.attacker.com',
  ])('lets the http(s) URL %s through (the main process applies its own allow-list)', (url) =>
    expect(isOpenableUrl(url)).toBe(true),
  );

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'file:///etc/passwd',
    'smb://x/share',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox',
    'ftp://example.com',
    'mailto:a@example.com',
    'about:blank',
    'chrome://settings',
    'https:',
    'https://',
    '//example.com',
    'example.com',
    '',
    'not a url',
  ])('refuses %j', (url) => expect(isOpenableUrl(url)).toBe(false));

  it('refuses absurdly long input without parsing it', () => {
    expect(isOpenableUrl(`https://example.com/${'a'.repeat(10_000)}`)).toBe(false);
  });
});
