import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** `http://127.0.0.1:port/` */
  url: string;
  /** Serves `text` at `path` (e.g. `/corpus/1.txt`), from memory. */
  put(path: string, text: string): string;
  close(): Promise<void>;
}

/** A static file server on 127.0.0.1, port 0, for the benchmark pages and their corpora. */
export async function startStaticServer(root: string): Promise<StaticServer> {
  const texts = new Map<string, Buffer>();
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const text = texts.get(path);
    if (text) {
      response.writeHead(200, { 'content-type': TYPES['.txt'], 'content-length': text.length });
      response.end(text);
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep) || !isFile(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    put(path, text) {
      texts.set(path, Buffer.from(text, 'utf8'));
      return new URL(path, url).href;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
