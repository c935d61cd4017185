import { describe, expect, it } from 'vitest';
import {
  MAX_EXTERNAL_URL_LENGTH,
  MAX_HUB_URL_LENGTH,
  isAllowedNavigation,
  isHubUrl,
  isSafeExternalUrl,
} from '../../src/main/link-policy';

/** Boundaries of the link policy (these tests are what npm run test:mutation scores link-policy.ts by). */
const padTo = (prefix: string, length: number) => prefix + 'a'.repeat(length - prefix.length);

describe('link policy edges', () => {
  it('accepts an external link of exactly the longest length and refuses one character more', () => {
    expect(MAX_EXTERNAL_URL_LENGTH).toBe(4096);
    expect(isSafeExternalUrl(padTo('https://example.com/', MAX_EXTERNAL_URL_LENGTH))).not.toBeNull();
    expect(isSafeExternalUrl(padTo('https://example.com/', MAX_EXTERNAL_URL_LENGTH + 1))).toBeNull();
  });

  it('accepts a hub address of exactly the longest length and refuses one character more', () => {
    expect(MAX_HUB_URL_LENGTH).toBe(2048);
    expect(isHubUrl(padTo('wss://falcon.example/', MAX_HUB_URL_LENGTH))).toBe(true);
    expect(isHubUrl(padTo('wss://falcon.example/', MAX_HUB_URL_LENGTH + 1))).toBe(false);
  });

  it.each([
    ['a password without a user name', 'https://:secret@example.com/'],
    ['a user name without a password', 'https://user@example.com/'],
  ])('refuses an external link with %s', (_case, text) => {
    expect(isSafeExternalUrl(text)).toBeNull();
    expect(isAllowedNavigation(text, ['https://example.com'])).toBe(false);
    expect(isHubUrl(text.replace('https:', 'wss:'))).toBe(false);
  });

  it('matches an http(s) entry by origin, whatever path the entry has', () => {
    expect(isAllowedNavigation('http://localhost:5173/other', ['http://localhost:5173/app'])).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/app', ['http://localhost:5173/app'])).toBe(false);
  });

  it('skips entries that are not URLs and keeps looking', () => {
    expect(isAllowedNavigation('https://app.example.com/', ['not a url', 'https://app.example.com'])).toBe(true);
    expect(isAllowedNavigation('https://app.example.com/', ['not a url'])).toBe(false);
  });

  it('matches a file: entry with or without its trailing slash, and only inside it', () => {
    const inside = 'file:///opt/app/out/renderer/index.html';
    expect(isAllowedNavigation(inside, ['file:///opt/app/out/renderer/'])).toBe(true);
    expect(isAllowedNavigation(inside, ['file:///opt/app/out/renderer'])).toBe(true);
    expect(isAllowedNavigation('file:///opt/app/out/renderer-evil/x.html', ['file:///opt/app/out/renderer'])).toBe(
      false,
    );
    expect(isAllowedNavigation('file://server/opt/app/out/renderer/x', ['file:///opt/app/out/renderer/'])).toBe(false);
  });
});
