import { type Browser, type Page, chromium } from 'playwright-core';
import { generateCorpus } from '../../src/server/demo/agent-output';
import type { PaneLayout } from './page-api';
import { buildTerminalPages } from './build-pages';
import { type StaticServer, startStaticServer } from './static-server';
import { CHROMIUM_FLAGS, findChromium } from '../lib/chromium';

export type TerminalVariant = 'ours' | 'bare';

const FLAGS = CHROMIUM_FLAGS;

/** For heap samples: exact `performance.memory` figures and a `gc()` the page can call. */
const MEMORY_FLAGS = ['--enable-precise-memory-info', '--js-flags=--expose-gc'];

export interface TerminalBenchOptions {
  memory?: boolean;
}

/**
 * The built pages, a static server and one headless Chromium; each run gets a
 * fresh page. `close()` releases all of it and is safe to call twice.
 */
export class TerminalBench {
  private constructor(
    private readonly server: StaticServer,
    private readonly browser: Browser,
    private readonly pages: Record<TerminalVariant, string>,
  ) {}

  static async start(options: TerminalBenchOptions = {}): Promise<TerminalBench> {
    const executablePath = findChromium();
    const built = await buildTerminalPages();
    const server = await startStaticServer(built.dir);
    let browser: Browser;
    try {
      browser = await chromium.launch({
        executablePath,
        headless: true,
        args: [...FLAGS, ...(options.memory ? MEMORY_FLAGS : [])],
      });
    } catch (error) {
      await server.close();
      throw error;
    }
    return new TerminalBench(server, browser, built.pages);
  }

  /** Serves a corpus of at least `bytes` UTF-8 bytes of agent output; returns its URL. */
  corpus(bytes: number, seed = 1): string {
    return this.server.put(`/corpus/${bytes}-${seed}.txt`, generateCorpus(bytes, seed));
  }

  /** Opens the variant's page with `layout` mounted, runs `body` in it, and closes the page. */
  async withPage<T>(
    variant: TerminalVariant,
    layout: PaneLayout,
    body: (page: Page) => Promise<T>,
    query = '',
  ): Promise<T> {
    const side = Math.ceil(Math.sqrt(layout.panes));
    // Every pane on screen: xterm stops rendering panes scrolled out of view.
    const page = await this.browser.newPage({
      viewport: { width: side * (layout.cols * 9 + 40), height: side * (layout.rows * 20 + 20) },
      deviceScaleFactor: 1,
    });
    try {
      page.setDefaultTimeout(180_000);
      await page.goto(new URL(this.pages[variant] + query, this.server.url).href);
      await page.waitForFunction(() => window.falconBench !== undefined);
      const sizes = await page.evaluate((l) => window.falconBench!.setup(l), layout);
      const wrong = sizes.find((size) => size.cols !== layout.cols || size.rows !== layout.rows);
      if (wrong)
        throw new Error(`${variant}: a pane measures ${wrong.cols}×${wrong.rows}, not ${layout.cols}×${layout.rows}`);
      return await body(page);
    } finally {
      await page.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {});
    await this.server.close();
  }
}
