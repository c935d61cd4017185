/**
 * `net` (https://www.electronjs.org/docs/latest/api/net): `fetch` is undici's
 * (Node's) for http(s), and reads file: URLs as Electron's net.fetch does,
 * with a content type from the extension as Chromium's file loader gives one
 * (a missing file rejects with net::ERR_FILE_NOT_FOUND). Chromium's network
 * stack (system proxy, OS certificate store) is what only real Electron
 * proves. `isOnline` is true unless the test sets it.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.cjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain',
  '.wasm': 'application/wasm',
};

let online = true;

export const net = {
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('file:')) return fetch(input, init);
    let body: Buffer;
    try {
      body = await readFile(fileURLToPath(url));
    } catch {
      throw new TypeError('net::ERR_FILE_NOT_FOUND');
    }
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: { 'content-type': MIME[extname(fileURLToPath(url)).toLowerCase()] ?? 'application/octet-stream' },
    });
  },
  isOnline: () => online,
  get online() {
    return online;
  },
  setOnline(value: boolean): void {
    online = value;
  },
  request(): never {
    throw new Error('net.request is not emulated: the app uses net.fetch');
  },
};
