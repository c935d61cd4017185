/**
 * Takes the README's screenshots: the web edition against a hub running the
 * demo simulator. Run with `npm run screenshots` after `npm run build`.
 */
import { join } from 'node:path';
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
  publisher: {
    publish: (channel, event, data) => void running.hub.publish(channel, event, data),
    streamAgentOutput: (agentId, text) => running.hub.streamAgentOutput(agentId, text),
  },
});
demo.start();
await new Promise((resolve) => setTimeout(resolve, 8000));
const browser = await launchChromium(executable);
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
await page.goto(`${running.url}/#token=${await token()}`);
await page.waitForSelector('[data-testid="issue-card"]');
const agents = await page.$$eval('[data-testid="agent-row"]', (rows) =>
  rows.map((row) => row.getAttribute('data-agent-id')),
);
for (const agentId of agents.slice(0, 4)) {
  await page.click(`[data-testid="agent-row"][data-agent-id="${agentId}"]`);
  await page.waitForSelector(`[data-testid="agent-pane"][data-agent-id="${agentId}"]`);
}
await new Promise((resolve) => setTimeout(resolve, 4000));
await page.screenshot({ path: join(out, 'board-and-panes.png') });
await page.evaluate(() =>
  localStorage.setItem('falcon.preferences', JSON.stringify({ state: { theme: 'light' }, version: 1 })),
);
await page.reload();
await page.waitForSelector('[data-testid="issue-card"]');
await new Promise((resolve) => setTimeout(resolve, 3000));
await page.screenshot({ path: join(out, 'light-theme.png') });
await browser.close();
demo.stop();
await running.close();
console.log(`screenshots written to ${out}`);
