/**
 * Takes the docs' screenshots: the web edition against a hub running the demo
 * simulator, at the three sizes the dashboard is checked at (1024×700,
 * 1440×900, 1920×1080) and in the light theme. Run with `npm run screenshots`
 * after `npm run build`. Each shot waits for what it shows (cards, panes with
 * output), then a moment for the demo to move. `SHOTS=a.png,b.png` takes
 * only those.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { answerDemoInputs } from '../../src/server/demo/answers';
import { DemoSimulator } from '../../src/server/demo/simulator';
import { WEB_ROOT, chromiumPath, ensureWebBuild, launchChromium } from '../helpers/browser';
import { startTestHub, token } from '../helpers/hub';

const out = join(import.meta.dirname, '../../docs/images');
const executable = chromiumPath();
if (!executable) throw new Error('chromium is needed for screenshots');
ensureWebBuild();
const running = await startTestHub({ webRoot: WEB_ROOT });
const demo = new DemoSimulator({
  seed: 7,
  speed: 12,
  agents: 10,
  publisher: {
    publish: (channel, event, data) => void running.hub.publish(channel, event, data),
    streamAgentOutput: (agentId, text) => running.hub.streamAgentOutput(agentId, text),
  },
});
demo.start();
// As `falcon hub --demo`: the demo's agents take answers, and the token may give them.
const undoAnswers = answerDemoInputs(running.hub, demo);
await pause(8000);
const url = `${running.url}/#token=${await token({ user: 'you', actOn: ['agent:*'] })}`;
const browser = await launchChromium(executable);

interface Shot {
  file: string;
  width: number;
  height: number;
  panes: number;
  theme?: 'light' | 'dark';
  /** Something to do before the shot (open the drawer, …). */
  prepare?: (page: Page) => Promise<void>;
  /** How long the demo runs on before the shot (ms); 4 s unless what it shows passes quickly. */
  settleMs?: number;
}

const shots: Shot[] = [
  { file: 'board-and-panes.png', width: 1600, height: 1000, panes: 4 },
  { file: 'web-1024x700.png', width: 1024, height: 700, panes: 4 },
  { file: 'web-1440x900.png', width: 1440, height: 900, panes: 9 },
  { file: 'web-1920x1080.png', width: 1920, height: 1080, panes: 6 },
  { file: 'light-theme.png', width: 1440, height: 900, panes: 4, theme: 'light' },
  {
    file: 'issue-drawer.png',
    width: 1440,
    height: 900,
    panes: 2,
    prepare: async (page) => {
      await page.click('[data-testid="issue-card"]');
      await page.waitForSelector('[data-testid="issue-drawer"]', { timeout: 30_000 });
    },
  },
  {
    file: 'attention-queue.png',
    width: 1440,
    height: 900,
    panes: 2,
    // A demo agent's question is answered within seconds: shoot while it is still asked.
    settleMs: 200,
    prepare: async (page) => {
      // The demo's agents ask for input now and then: wait for one, then open the queue.
      await page.waitForSelector('[data-testid="attention-toggle"]:not([data-count="0"])', { timeout: 120_000 });
      await page.click('[data-testid="attention-toggle"]');
      await page.waitForSelector('#attention-popover');
    },
  },
  {
    file: 'answer-waiting.png',
    width: 1440,
    height: 900,
    panes: 1,
    settleMs: 300,
    prepare: async (page) => {
      // A demo agent that waits for an answer (they wait until answered): its pane, with a reply being written.
      const row = '[data-testid="agent-row"][data-status="waiting_for_input"]';
      await page.waitForSelector(row, { timeout: 120_000 });
      const agentId = await page.getAttribute(row, 'data-agent-id');
      await page.click(row);
      const reply = page.getByRole('textbox', { name: `Reply to agent ${agentId}` });
      await reply.click();
      await reply.fill('Yes, but keep the old flag for one release');
    },
  },
];

try {
  // SHOTS=a.png,b.png takes only those.
  const only = process.env.SHOTS?.split(',');
  for (const shot of shots) if (!only || only.includes(shot.file)) await take(browser, shot);
} finally {
  await browser.close();
  undoAnswers();
  demo.stop();
  await running.close();
}
console.log(`screenshots written to ${out}`);

async function take(browser: Browser, shot: Shot): Promise<void> {
  const context = await browser.newContext({
    viewport: { width: shot.width, height: shot.height },
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.addInitScript((theme) => {
    localStorage.setItem('falcon.preferences', JSON.stringify({ state: { theme }, version: 1 }));
  }, shot.theme ?? 'dark');
  await page.goto(url);
  await page.waitForSelector('[data-testid="issue-card"]');
  await page.waitForSelector('[data-testid="agent-row"]');
  // The project most agents work on, so the board and the panes tell one story.
  await page.getByLabel('Project').selectOption('falcon-web');
  const agents = await page.$$eval('[data-testid="agent-row"]', (rows) =>
    rows.map((row) => row.getAttribute('data-agent-id')),
  );
  for (const agentId of agents.slice(0, shot.panes)) {
    await page.click(`[data-testid="agent-row"][data-agent-id="${agentId}"]`);
    await page.waitForSelector(`[data-testid="agent-pane"][data-agent-id="${agentId}"]`);
  }
  await shot.prepare?.(page);
  // Off the agent list: while the pointer is over it, its order holds still (docs/renderer.md).
  await page.mouse.move(2, 2);
  await pause(shot.settleMs ?? 4000);
  await page.screenshot({ path: join(out, shot.file) });
  await context.close();
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
