import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AgentInput, AgentInputMeta, RunningHub } from '../../src/server/index';
import { WEB_ROOT } from '../helpers/browser';
import { startTestHub, token } from '../helpers/hub';
import { useWebEditionSuite } from '../helpers/web-suite';

/**
 * Answering agents from the web edition in Chromium, through a real hub whose
 * input handler stands in for falcon-pm: from a card's quick choices, from the
 * pane's reply box (Enter sends, Shift+Enter is a new line), with the answer
 * and its sender shown to every viewer; a token without the act right and a
 * request someone else answered first get their reason, never silence.
 */
const suite = useWebEditionSuite();
const { executable, cleanup } = suite;

const CHOICES = [
  { id: 'approve', label: 'Yes' },
  { id: 'deny', label: 'No' },
];

interface Received {
  input: AgentInput;
  meta: AgentInputMeta;
}

async function hub(): Promise<{ running: RunningHub; received: Received[] }> {
  const running = await startTestHub({ port: 0, webRoot: WEB_ROOT, outputBatch: { intervalMs: 20 } });
  cleanup.push(() => running.close());
  const received: Received[] = [];
  cleanup.push(running.hub.onAgentInput((input, meta) => void received.push({ input, meta })));
  await running.hub.publish('project:web', 'issue_created', {
    issueId: '7',
    projectId: 'web',
    title: 'Apply the migration',
    status: 'in_progress',
    agentId: 'opus-1',
  });
  await waitFor(running, 'opus-1', 'r1', 'Apply the patch to main?');
  return { running, received };
}

function waitFor(running: RunningHub, agentId: string, requestId: string, prompt: string): Promise<unknown> {
  return running.hub.publish('project:web', 'agent_status', {
    agentId,
    status: 'waiting_for_input',
    issueId: '7',
    projectId: 'web',
    requestId,
    prompt,
    choices: CHOICES,
  });
}

async function open(running: RunningHub, user: string, actOn: string[] | undefined): Promise<Page> {
  const context = await suite.browser.newContext({ viewport: { width: 1440, height: 900 } });
  cleanup.push(() => context.close());
  const page = await context.newPage();
  // Chromium shares two cores with hubs and other suites: every step waits for its event up to a minute.
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  cleanup.push(() => expect(errors).toEqual([]));
  const authToken = await token({ user, channels: ['*'], ...(actOn ? { actOn } : {}) });
  await page.goto(`${running.url}/#token=${authToken}`);
  await page.waitForSelector('[data-testid="issue-card"][data-issue-id="7"] [data-testid="quick-answer"]');
  return page;
}

const card = (page: Page) => page.locator('[data-testid="issue-card"][data-issue-id="7"]');
const pane = (page: Page) => page.locator('[data-testid="agent-pane"][data-agent-id="opus-1"]');
const terminalText = (page: Page) =>
  page.evaluate(
    () => document.querySelector('[data-testid="agent-pane"][data-agent-id="opus-1"] .xterm-rows')?.textContent ?? '',
  );

/** Resolves when the handler has taken `count` inputs. */
async function received(list: Received[], count: number): Promise<Received[]> {
  await expect.poll(() => list.length, { timeout: 60_000 }).toBe(count);
  return list;
}

describe.skipIf(!executable)('answering agents (web edition, Chromium)', () => {
  it('answers from a card: the prompt and choices on the card, the choice with its request id, the outcome', async () => {
    const { running, received: inputs } = await hub();
    const page = await open(running, 'ana', ['agent:*']);
    const quick = card(page).getByTestId('quick-answer');
    expect(await quick.textContent()).toContain('Apply the patch to main?');
    // The same question in the agents list.
    await page.waitForSelector('[data-testid="agent-row"][data-agent-id="opus-1"] ~ [data-testid="quick-answer"]');
    await quick.getByRole('button', { name: 'Yes' }).click();
    const [first] = await received(inputs, 1);
    expect(first.input).toEqual({ action: 'approve', choice: 'approve', requestId: 'r1' });
    expect(first.meta).toMatchObject({ agentId: 'opus-1', by: 'ana' });
    await quick.getByText('Sent').waitFor();
    // The agent goes on: the card's question goes away.
    await running.hub.publish('project:web', 'agent_status', { agentId: 'opus-1', status: 'working', issueId: '7' });
    await card(page).getByTestId('quick-answer').waitFor({ state: 'detached' });
  }, 180_000);

  it('answers from the pane: Shift+Enter is a new line, Enter sends, every viewer sees who answered', async () => {
    const { running, received: inputs } = await hub();
    const page = await open(running, 'ana', ['agent:*']);
    const watcher = await open(running, 'bo', undefined);
    for (const viewer of [page, watcher]) {
      await card(viewer).getByRole('button', { name: 'Reply…' }).click();
      await pane(viewer).getByTestId('answer-bar').waitFor();
    }
    // "Reply…" put the keyboard in the reply box.
    const reply = pane(page).getByRole('textbox', { name: 'Reply to agent opus-1' });
    await expect.poll(() => reply.evaluate((box) => box === document.activeElement)).toBe(true);
    expect(await pane(page).getByTestId('answer-prompt').textContent()).toContain('Apply the patch to main?');
    await page.keyboard.type('Yes, but');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('only the first hunk');
    expect(inputs).toEqual([]);
    await page.keyboard.press('Enter');
    const [first] = await received(inputs, 1);
    expect(first.input).toEqual({ action: 'reply', text: 'Yes, but\nonly the first hunk', requestId: 'r1' });
    await expect.poll(() => reply.inputValue()).toBe('');
    // The hub's audit event: both viewers' terminals say who answered and what.
    for (const viewer of [page, watcher]) {
      await expect.poll(() => terminalText(viewer), { timeout: 60_000 }).toContain('ana replied “Yes, but only');
    }
    // The watcher may read but not act: the controls say why and send nothing.
    const watcherBar = pane(watcher).getByTestId('answer-bar');
    expect(await watcherBar.getAttribute('data-can-answer')).toBe('false');
    expect(await watcherBar.getByTestId('answer-reason').textContent()).toContain(
      'may watch this agent but not answer',
    );
    // A dimmed control is still there to click (aria-disabled keeps it focusable; Playwright would wait for "enabled").
    await watcherBar.getByRole('button', { name: 'No' }).click({ force: true });
    await pane(watcher).getByRole('textbox', { name: 'Reply to agent opus-1' }).press('Enter');
    expect(inputs).toHaveLength(1);
  }, 180_000);

  it('says so when someone else answered first, and reaches every control from the keyboard', async () => {
    const { running, received: inputs } = await hub();
    const first = await open(running, 'ana', ['agent:*']);
    const second = await open(running, 'cy', ['agent:opus-*']);
    await card(first).getByRole('button', { name: 'No' }).click();
    await received(inputs, 1);
    expect(inputs[0].input).toMatchObject({ action: 'deny', requestId: 'r1' });
    // The second viewer still shows the question (the agent has not moved on yet) and answers it late.
    await card(second).getByRole('button', { name: 'Yes' }).click();
    const alert = card(second).getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Someone else already answered this question.');
    expect(inputs).toHaveLength(1);

    // A new question: the pane's controls in Tab order, the interrupt pressed twice.
    await waitFor(running, 'opus-1', 'r2', 'Delete the old branch?');
    await card(second).getByRole('button', { name: 'Reply…' }).click();
    const reply = pane(second).getByRole('textbox', { name: 'Reply to agent opus-1' });
    await expect.poll(() => reply.evaluate((box) => box === document.activeElement)).toBe(true);
    await second.keyboard.press('Shift+Tab');
    await second.keyboard.press('Shift+Tab');
    const focusedChoice = () => second.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.choiceId);
    expect(await focusedChoice()).toBe('approve');
    await second.keyboard.press('Tab');
    await second.keyboard.press('Tab');
    await second.keyboard.press('Tab');
    await second.keyboard.press('Tab');
    const interrupt = pane(second).getByRole('button', { name: /interrupt/i });
    expect(await interrupt.evaluate((button) => button === document.activeElement)).toBe(true);
    await second.keyboard.press('Enter');
    expect(await interrupt.textContent()).toBe('Press again to interrupt');
    expect(inputs).toHaveLength(1);
    await second.keyboard.press('Enter');
    await received(inputs, 2);
    expect(inputs[1].input).toEqual({ action: 'interrupt' });
    expect(inputs[1].meta.by).toBe('cy');
    await expect.poll(() => terminalText(second), { timeout: 60_000 }).toContain('cy interrupted the agent');
  }, 180_000);

  it('keeps the controls but says why while the hub is unreachable', async () => {
    const { running, received: inputs } = await hub();
    const page = await open(running, 'ana', ['agent:*']);
    await card(page).getByRole('button', { name: 'Reply…' }).click();
    const bar = pane(page).getByTestId('answer-bar');
    await bar.waitFor();
    await running.close();
    await expect.poll(() => bar.getAttribute('data-can-answer'), { timeout: 60_000 }).toBe('false');
    expect(await bar.getByTestId('answer-reason').textContent()).toContain('Not connected to the hub');
    await bar.getByRole('button', { name: 'Yes' }).click({ force: true });
    // A reply can be drafted meanwhile; Enter does not send it, and it stays.
    const reply = bar.getByRole('textbox', { name: 'Reply to agent opus-1' });
    await reply.fill('anyone there?');
    await reply.press('Enter');
    expect(await reply.inputValue()).toBe('anyone there?');
    expect(inputs).toEqual([]);
  }, 180_000);
});
