import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import sirv from 'sirv';
import { Hub, createRequestHandler, secretKey, signToken, startHub } from '../../src/server/index';
import { REPO_ROOT } from '../lib/processes';
import { CHROMIUM_FLAGS, findChromium } from '../lib/chromium';

export const OURS_VARIANT = 'ours';
/** The web edition before issue 16: one unminified eager bundle, served uncompressed (the goal's peer). */
export const PEER_VARIANT = 'eager-plain';
/** The web edition before issue 18: the same eager bundle, served brotli/gzip by the hub (issue 16). */
export const COMPRESSED_PEER_VARIANT = 'eager-br';
export type WebStartVariant = typeof OURS_VARIANT | typeof PEER_VARIANT | typeof COMPRESSED_PEER_VARIANT;

const SECRET = 'bench-web-start-secret-of-at-least-32-bytes';
const PROJECT = 'bench';
const FLAGS = [...CHROMIUM_FLAGS, '--disable-quic'];

/** A link slower than loopback, for the second measurement (Chromium's own throttling, via CDP). */
export interface NetworkConditions {
  latencyMs: number;
  downloadBitsPerSecond: number;
  uploadBitsPerSecond: number;
}

/** What one cold start of the page measured, up to the first board paint. */
export interface StartSample {
  /** ms from navigation start to the frame after the first issue card entered the DOM. */
  boardPaintMs: number;
  /** First contentful paint (anything at all, e.g. the header), ms. */
  firstContentfulPaintMs: number;
  /** HTTP bytes (headers and bodies, as transferred) of every response complete before the board paint. */
  bytesBeforePaint: number;
  /** Decoded body bytes of the same responses. */
  decodedBytesBeforePaint: number;
  requestsBeforePaint: number;
  /** Per response before the paint: path, transferred and decoded bytes. */
  resources: Array<{ path: string; transfer: number; decoded: number }>;
  /** Content-Encoding per path as the hub sent it, and the Accept-Encoding Chromium sent. */
  encodings: Record<string, string>;
  acceptEncoding: string;
}

declare global {
  interface Window {
    /** Set by the init script of StartBench.load: the first board paint and the resources before it. */
    falconBoardPaint?: {
      at: number;
      fcp: number;
      resources: Array<{ name: string; transfer: number; decoded: number; end: number }>;
    };
  }
}

const execFileAsync = promisify(execFile);

/**
 * Both builds of the web edition (into a temporary directory, never out/), a
 * hub for each with the same board, and one headless Chromium. Every load
 * gets a fresh browser context: an empty HTTP cache, no storage, no code cache.
 */
export class StartBench {
  private constructor(
    private readonly dir: string,
    private readonly browser: Browser,
    private readonly urls: Record<WebStartVariant, string>,
    private readonly token: string,
    private readonly closers: Array<() => Promise<void>>,
  ) {}

  static async start(issues: number, log: (line: string) => void): Promise<StartBench> {
    const dir = await mkdtemp(join(tmpdir(), 'falcon-web-start-'));
    const closers: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
    const close = async () => {
      for (const closer of closers.reverse()) await closer().catch(() => undefined);
    };
    try {
      log('  building the web edition twice: electron-vite build (ours) and bench/web-start/eager.config.ts (peer)');
      await build(join(dir, OURS_VARIANT), null);
      await build(join(dir, PEER_VARIANT), 'bench/web-start/eager.config.ts');

      const ours = await startHub({
        secret: SECRET,
        port: 0,
        host: '127.0.0.1',
        webRoot: join(dir, OURS_VARIANT, 'renderer'),
      });
      closers.push(() => ours.close());
      const eagerRoot = join(dir, PEER_VARIANT, 'renderer');
      const peer = await startPlainHub(eagerRoot);
      closers.push(() => peer.close());
      const compressedPeer = await startHub({ secret: SECRET, port: 0, host: '127.0.0.1', webRoot: eagerRoot });
      closers.push(() => compressedPeer.close());
      for (const hub of [ours.hub, peer.hub, compressedPeer.hub]) await seedBoard(hub, issues);

      const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: FLAGS });
      closers.push(() => browser.close());
      const token = await signToken({ user: 'bench', channels: ['*'] }, secretKey(SECRET));
      const urls = {
        [OURS_VARIANT]: ours.url,
        [PEER_VARIANT]: peer.url,
        [COMPRESSED_PEER_VARIANT]: compressedPeer.url,
      };
      return new StartBench(dir, browser, urls, token, closers);
    } catch (error) {
      await close();
      throw error;
    }
  }

  /** Where the builds are (for the notes). */
  get buildDir(): string {
    return this.dir;
  }

  /** One cold start of `variant`'s page, on loopback or over `network`. */
  async load(variant: WebStartVariant, network: NetworkConditions | null): Promise<StartSample> {
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      if (network) {
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: network.latencyMs,
          downloadThroughput: network.downloadBitsPerSecond / 8,
          uploadThroughput: network.uploadBitsPerSecond / 8,
        });
      }
      const encodings: Record<string, string> = {};
      let acceptEncoding = '';
      const headersRead: Array<Promise<void>> = [];
      page.on('response', (response) => {
        const path = new URL(response.url()).pathname;
        encodings[path] = response.headers()['content-encoding'] ?? 'identity';
        // What Chromium's network stack added (Accept-Encoding among them) is only in allHeaders().
        headersRead.push(
          response
            .request()
            .allHeaders()
            .then((headers) => void (acceptEncoding ||= headers['accept-encoding'] ?? '')),
        );
      });
      await page.addInitScript(markBoardPaint);
      await page.goto(`${this.urls[variant]}/#token=${this.token}`);
      await page.waitForFunction(() => window.falconBoardPaint !== undefined);
      const mark = await page.evaluate(() => window.falconBoardPaint!);
      await Promise.allSettled(headersRead);
      const before = mark.resources.filter((resource) => resource.end <= mark.at);
      return {
        boardPaintMs: mark.at,
        firstContentfulPaintMs: mark.fcp,
        bytesBeforePaint: before.reduce((sum, resource) => sum + resource.transfer, 0),
        decodedBytesBeforePaint: before.reduce((sum, resource) => sum + resource.decoded, 0),
        requestsBeforePaint: before.length,
        resources: before.map(({ name, transfer, decoded }) => ({ path: new URL(name).pathname, transfer, decoded })),
        encodings,
        acceptEncoding,
      };
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    const closers = this.closers.splice(0).reverse();
    for (const closer of closers) await closer().catch(() => undefined);
  }
}

/**
 * Runs in the page before its scripts. The first board paint is the frame
 * that draws the first issue card: the card entering the DOM, then the next
 * animation frame, then a task after it (the paint of that frame has then
 * been committed). At that moment it lists every HTTP response so far from
 * Resource Timing (same origin, so transfer sizes are exposed).
 */
function markBoardPaint(): void {
  const selector = '[data-testid="issue-card"]';
  const observer = new MutationObserver(() => {
    if (!document.querySelector(selector)) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const at = performance.now();
        const navigation = performance.getEntriesByType('navigation') as PerformanceResourceTiming[];
        const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN;
        window.falconBoardPaint = {
          at,
          fcp,
          resources: [...navigation, ...resources].map((entry) => ({
            name: entry.name,
            transfer: entry.transferSize,
            decoded: entry.decodedBodySize,
            end: entry.responseEnd,
          })),
        };
      };
      channel.port2.postMessage(null);
    });
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** `electron-vite build` into `outDir` (its renderer lands in `outDir/renderer`). */
async function build(outDir: string, config: string | null): Promise<void> {
  const args = ['electron-vite', 'build', '--outDir', outDir, '--logLevel', 'warn', ...(config ? ['-c', config] : [])];
  await execFileAsync('npx', args, { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
}

/**
 * The peer's hub: the same Hub and HTTP API, mounted connect-style with a
 * plain sirv behind it for the web edition (no compression, no cache
 * headers), which is how the hub served it before issue 16.
 */
async function startPlainHub(webRoot: string): Promise<{ hub: Hub; url: string; close(): Promise<void> }> {
  const hub = new Hub({ secret: SECRET });
  const api = createRequestHandler(hub);
  const files = sirv(webRoot, { etag: true, dev: false });
  const server: Server = createServer((request, response) =>
    api(request, response, () => files(request, response, () => void response.writeHead(404).end())),
  );
  const detach = hub.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    hub,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await hub.close();
      detach();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A board worth painting: `issues` issues over four statuses, five agents working on some. */
async function seedBoard(hub: Hub, issues: number): Promise<void> {
  const channel = `project:${PROJECT}` as const;
  const statuses = ['todo', 'in_progress', 'in_review', 'done'];
  for (let i = 1; i <= issues; i++) {
    await hub.publish(channel, 'issue_created', {
      issueId: String(i),
      projectId: PROJECT,
      title: `Issue ${i}: make the web edition start faster over a slow link`,
      status: statuses[i % statuses.length],
      stage: 'plan',
    });
  }
  for (let a = 1; a <= 5; a++) {
    await hub.publish(channel, 'agent_status', {
      agentId: `agent-${a}`,
      status: 'working',
      issueId: String(a),
      projectId: PROJECT,
    });
  }
}
