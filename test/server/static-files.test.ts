import { describe, expect, it } from 'vitest';
import { cacheControlFor } from '../../src/server/static-files';

describe('cacheControlFor', () => {
  it('keeps a hashed build asset for a year without asking', () => {
    for (const path of [
      '/assets/index-D47VOjmi.js',
      '/assets/AgentPane-BmfB5bmM.css',
      '/assets/addon-webgl-C3a5wC6k.js',
    ]) {
      expect(cacheControlFor(path), path).toBe('public, max-age=31536000, immutable');
    }
  });

  it('has everything else revalidated: index.html, unhashed names, files outside assets/', () => {
    for (const path of [
      '/',
      '/index.html',
      '/assets/index.js',
      '/assets/logo-1234567.svg',
      '/favicon-D47VOjmi.ico',
      '/assets/nested/index-D47VOjmi.js',
      '/assets/index-D47VOjmi.js/',
    ]) {
      expect(cacheControlFor(path), path).toBe('no-cache');
    }
  });
});
