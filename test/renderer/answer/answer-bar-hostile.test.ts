// The answer bar under hostile but protocol-valid requests, in real panes (xterm, layout) in Chromium: pane-page.tsx.
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../src/shared/delivery';
import { AGENT_REQUEST_LIMITS, type AgentChoice } from '../../../src/shared/protocol';
import { chromium, usePanePage } from '../panes/pane-browser';

const page = usePanePage();

const HTML = '<img src=x onerror=alert(1)>';
/** Text a hostile agent may send: markup, a right-to-left override, emoji, terminal escapes and other controls. */
const NASTY = `${HTML}\u202Eevil\u202C 🙂🚀 \x1b[31mred\x1b[0m \x07\x08\r`;

/** Exactly `length` UTF-16 units: the nasty text, then one unbroken word. */
const fill = (head: string, length: number) => (head + 'W'.repeat(length)).slice(0, length);

const PROMPT = fill(`${NASTY}\n${'x'.repeat(600)} `, AGENT_REQUEST_LIMITS.promptLength);
const CHOICES: AgentChoice[] = Array.from({ length: AGENT_REQUEST_LIMITS.choices }, (_, i) => ({
  id: `c${i}`,
  label: fill(`${i} ${NASTY}`, AGENT_REQUEST_LIMITS.choiceLabelLength),
}));

/** The agents, waiting with the request, as the project's snapshot brings them (the page has no client core to reduce events). */
const waiting = (...agentIds: string[]): Delivery[] => [
  {
    kind: 'snapshot',
    channel: 'project:alpha',
    data: {
      issues: [],
      agents: agentIds.map((agentId) => ({
        agentId,
        status: 'waiting_for_input',
        projectId: 'alpha',
        requestId: 'r1',
        prompt: PROMPT,
        choices: CHOICES,
      })),
    },
  },
];

const AGENTS = ['agent-1', 'agent-2', 'agent-3', 'agent-4'];

describe.skipIf(!chromium)('answer bar against hostile requests (Chromium)', { timeout: 60_000 }, () => {
  it('takes the largest request the protocol allows', () => {
    expect(PROMPT).toHaveLength(4000);
    expect(CHOICES).toHaveLength(16);
    expect(CHOICES.every((choice) => choice.label.length === 128)).toBe(true);
  });

  it('at 1024×700 with four panes: every terminal keeps its rows, nothing overflows sideways, text stays text', async () => {
    const dialogs: string[] = [];
    page().on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page().setViewportSize({ width: 1024, height: 700 });
    await page().evaluate(() => window.paneKit.resize(1024, 700));
    await page().evaluate((ids) => window.paneKit.paneGrid(ids), AGENTS);
    await page().evaluate((batch) => window.paneKit.deliver(batch), waiting(...AGENTS));
    await page().waitForFunction(
      (count) => document.querySelectorAll('[data-testid="answer-bar"]').length === count,
      4,
    );
    await page().evaluate(() => window.paneKit.resize(1024, 700));

    const layout = await page().evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-pane-id]')].map((pane) => {
        const bar = pane.querySelector<HTMLElement>('[data-testid="answer-bar"]');
        const body = pane.querySelector<HTMLElement>('.agent-pane-body');
        const paneBox = pane.getBoundingClientRect();
        const barBox = bar?.getBoundingClientRect();
        const overflowing = [...(bar?.querySelectorAll<HTMLElement>('*') ?? [])]
          .filter((element) => {
            const box = element.getBoundingClientRect();
            return box.width > 0 && (box.right > paneBox.right + 0.5 || box.left < paneBox.left - 0.5);
          })
          .map((element) => element.className || element.tagName);
        return {
          paneHeight: paneBox.height,
          barHeight: barBox?.height ?? 0,
          bodyHeight: body?.getBoundingClientRect().height ?? 0,
          barScrolls: bar ? bar.scrollWidth - bar.clientWidth : -1,
          paneScrolls: pane.scrollWidth - pane.clientWidth,
          overflowing,
        };
      }),
    );
    expect(layout).toHaveLength(4);
    for (const pane of layout) {
      expect(pane.barHeight).toBeGreaterThan(0);
      // The bar stops at its max-height (45 % of the pane) and scrolls; the terminal keeps the rest.
      expect(pane.barHeight).toBeLessThanOrEqual(pane.paneHeight * 0.45 + 1);
      expect(pane.bodyHeight).toBeGreaterThan(pane.paneHeight * 0.4);
      expect(pane.barScrolls).toBeLessThanOrEqual(0);
      expect(pane.paneScrolls).toBeLessThanOrEqual(0);
      expect(pane.overflowing).toEqual([]);
    }
    const terminals = await page().evaluate(() => window.paneKit.terminals());
    expect(terminals).toHaveLength(4);
    for (const terminal of terminals) expect(terminal.rows).toBeGreaterThanOrEqual(5);
    expect(await page().evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);

    // Shown as text: no element was made of the markup, nothing ran, every label is all there.
    expect(await page().locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    const bar = page().getByTestId('answer-bar').first();
    expect(await bar.getByTestId('answer-prompt').textContent()).toContain(HTML);
    const labels = await bar.locator('.answer-choice').allTextContents();
    expect(labels).toHaveLength(16);
    for (const [i, label] of labels.entries()) {
      expect(label.startsWith(`${i} ${HTML}evil 🙂🚀 [31mred[0m WWW`)).toBe(true);
      // Nothing that acts instead of reads: no override, no escape, no other control.
      // eslint-disable-next-line no-control-regex -- looking for control characters is the point
      expect(label).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
    const prompt = await bar.getByTestId('answer-prompt').textContent();
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(prompt).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('keeps a right-to-left override inside the text that carries it', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    await page().evaluate((batch) => window.paneKit.deliver(batch), waiting('agent-1'));
    const isolated = await page().evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.answer-prompt, .answer-choice')].map(
        (element) => getComputedStyle(element).unicodeBidi,
      ),
    );
    expect(isolated).toHaveLength(17);
    for (const value of isolated) expect(value).toBe('plaintext');
  });
});
