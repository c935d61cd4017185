import { afterEach, describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { TestClient, token } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';

const fixture = new HubFixture();
afterEach(() => fixture.dispose());

type Message = Record<string, unknown> & { type: string };
interface Kept {
  event: string;
  data: { issueId: string; newStatus?: string; title?: string };
  offset: number;
  epoch: string;
  time: number;
}

async function statuses(running: RunningHub, issueId: string, list: string[]): Promise<void> {
  let old = 'backlog';
  for (const newStatus of list) {
    await running.hub.publish(`issue:${issueId}`, 'status_changed', { issueId, oldStatus: old, newStatus });
    old = newStatus;
  }
}

function after(client: TestClient, type: string): number {
  return client.messages.findIndex((m) => m.type === type);
}

describe('Hub history (subscribe with history: N)', () => {
  it('sends the kept events oldest first, with their offsets and times, before subscribed; live events follow', async () => {
    const running = await fixture.startHub();
    const before = Date.now();
    await statuses(running, '7', ['todo', 'in_progress', 'in_review']);
    const client = await fixture.connect(running);
    client.send({ type: 'subscribe', channel: 'issue:7', history: 100 });
    const subscribed = await client.waitFor((m) => m.type === 'subscribed');
    const history = (await client.waitFor((m) => m.type === 'history')) as Message & { events: Kept[] };
    expect(after(client, 'history')).toBeLessThan(after(client, 'subscribed'));
    expect(history.channel).toBe('issue:7');
    expect(history.events.map((e) => [e.event, e.data.newStatus, e.offset])).toEqual([
      ['status_changed', 'todo', 1],
      ['status_changed', 'in_progress', 2],
      ['status_changed', 'in_review', 3],
    ]);
    for (const event of history.events) {
      expect(event.epoch).toBe(subscribed.epoch);
      expect(event.time).toBeGreaterThanOrEqual(before - 1000);
    }
    // The position continues after the history: nothing in it is sent again as an event.
    expect(subscribed).toMatchObject({ offset: 3, replayed: 0 });
    await statuses(running, '7', ['done']);
    const live = await client.waitFor((m) => m.type === 'event');
    expect(live).toMatchObject({ offset: 4, data: { newStatus: 'done' } });
    await client.roundTrip();
    expect(client.messages.filter((m) => m.type === 'event')).toHaveLength(1);
  });

  it('sends only the newest N when more are kept', async () => {
    const running = await fixture.startHub();
    await statuses(running, '7', ['a', 'b', 'c', 'd', 'e']);
    const client = await fixture.connect(running);
    client.send({ type: 'subscribe', channel: 'issue:7', history: 2 });
    const history = (await client.waitFor((m) => m.type === 'history')) as Message & { events: Kept[] };
    expect(history.events.map((e) => e.offset)).toEqual([4, 5]);
  });

  it('answers an empty history for a channel with no events, and none at all when not asked', async () => {
    const running = await fixture.startHub();
    const client = await fixture.connect(running);
    client.send({ type: 'subscribe', channel: 'issue:none', history: 10 });
    await client.waitFor((m) => m.type === 'subscribed');
    expect(client.messages.find((m) => m.type === 'history')).toMatchObject({ events: [] });

    await statuses(running, '8', ['todo']);
    const seed = await fixture.connect(running);
    seed.send({ type: 'subscribe', channel: 'issue:8' });
    await seed.waitFor((m) => m.type === 'subscribed');
    await seed.roundTrip();
    expect(seed.messages.some((m) => m.type === 'history')).toBe(false);
  });

  it('sends no history when resuming: the missed events are replayed instead', async () => {
    const running = await fixture.startHub();
    await statuses(running, '7', ['a', 'b', 'c']);
    const first = await fixture.connect(running);
    first.send({ type: 'subscribe', channel: 'issue:7' });
    const position = await first.waitFor((m) => m.type === 'subscribed');
    await statuses(running, '7', ['d']);
    const client = await fixture.connect(running);
    client.send({
      type: 'subscribe',
      channel: 'issue:7',
      since: { epoch: position.epoch, offset: 3 },
      history: 100,
    });
    const subscribed = await client.waitFor((m) => m.type === 'subscribed');
    expect(subscribed).toMatchObject({ recovered: true, replayed: 1 });
    await client.waitFor((m) => m.type === 'event');
    expect(client.messages.some((m) => m.type === 'history')).toBe(false);
  });

  it('sends each offset once when events are published while the history is read', async () => {
    const running = await fixture.startHub();
    await statuses(running, '7', ['s0', 's1', 's2']);
    const client = await fixture.connect(running);
    client.send({ type: 'subscribe', channel: 'issue:7', history: 1000 });
    const publishing = (async () => {
      for (let i = 3; i < 60; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        await running.hub.publish('issue:7', 'status_changed', { issueId: '7', newStatus: `s${i}` });
      }
    })();
    await publishing;
    await client.waitFor((m) => m.type === 'subscribed');
    const history = (await client.waitFor((m) => m.type === 'history')) as Message & { events: Kept[] };
    const lastKept = history.events.at(-1)?.offset ?? 0;
    const live = await client.waitForCount((m) => m.type === 'event', 60 - lastKept);
    const offsets = [...history.events.map((e) => e.offset), ...live.map((m) => m.offset as number)];
    expect(offsets).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('keeps a history within half the send buffer, newest events first', async () => {
    const running = await fixture.startHub({ maxBufferedBytes: 64 * 1024 });
    for (let i = 0; i < 40; i++) {
      await running.hub.publish('issue:7', 'comment_added', { issueId: '7', text: `${i} ${'x'.repeat(2000)}` });
    }
    const client = await fixture.connect(running);
    client.send({ type: 'subscribe', channel: 'issue:7', history: 1000 });
    const history = (await client.waitFor((m) => m.type === 'history')) as Message & { events: Kept[] };
    expect(history.events.length).toBeGreaterThan(5);
    expect(history.events.length).toBeLessThan(40);
    expect(history.events.at(-1)?.offset).toBe(40);
    expect(JSON.stringify(history).length).toBeLessThan(40 * 1024);
  });

  it('gives a token that cannot read the channel nothing: forbidden, no history', async () => {
    const running = await fixture.startHub();
    await statuses(running, 'secret', ['todo', 'done']);
    const client = await fixture.connect(running, await token({ channels: ['issue:mine'] }));
    client.send({ type: 'subscribe', channel: 'issue:secret', history: 100 });
    const error = await client.waitFor((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'forbidden', channel: 'issue:secret' });
    await client.roundTrip();
    expect(client.messages.some((m) => m.type === 'history' || m.type === 'subscribed' || m.type === 'event')).toBe(
      false,
    );
  });

  it.each([
    ['a negative count', -1],
    ['a count past the limit', 1001],
    ['a fraction', 2.5],
    ['a string', '10'],
    ['a boolean', true],
    ['null', null],
  ])('refuses %s with invalid_message and sends nothing else', async (_name, history) => {
    const running = await fixture.startHub();
    await statuses(running, '7', ['todo']);
    const client = await fixture.connect(running);
    client.send({ type: 'subscribe', channel: 'issue:7', history });
    const error = await client.waitFor((m) => m.type === 'error');
    expect(error.code).toBe('invalid_message');
    await client.roundTrip();
    expect(client.messages.some((m) => m.type === 'history' || m.type === 'subscribed')).toBe(false);
  });

  it('announces the history feature', async () => {
    const running = await fixture.startHub();
    const client = await fixture.connect(running);
    expect(client.messages[0]).toMatchObject({ type: 'connected' });
    expect(client.messages[0].features).toContain('history');
  });
});
