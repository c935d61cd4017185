import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { vi } from 'vitest';
import type { FalconBridge } from '../../../src/shared/bridge';
import { INITIAL_STATE } from '../../../src/shared/connection-state';
import type { Delivery } from '../../../src/shared/delivery';
import type { AgentState, Channel, IssueState } from '../../../src/shared/protocol';
import { ChannelStore } from '../../../src/client/index';
import { OutputRouter } from '../../../src/renderer/src/lib/output-router';
import { ServicesContext, type Services } from '../../../src/renderer/src/services';
import { createAttentionStore } from '../../../src/renderer/src/stores/attention-store';
import { createBoardStore } from '../../../src/renderer/src/stores/board-store';
import { createConnectionStore } from '../../../src/renderer/src/stores/connection-store';
import { createFilterStore } from '../../../src/renderer/src/stores/filter-store';
import { createLayoutStore } from '../../../src/renderer/src/stores/layout-store';
import { createPreferencesStore } from '../../../src/renderer/src/stores/preferences-store';
import { createProjectsStore } from '../../../src/renderer/src/stores/projects-store';
import { createDrawerStore } from '../../../src/renderer/src/stores/drawer-store';
import { createTimelineStore } from '../../../src/renderer/src/stores/timeline-store';
import { createAnswerStore } from '../../../src/renderer/src/stores/answer-store';
import { memoryStorage } from '../../../src/renderer/src/stores/memory-storage';

/** A bridge for component tests: a fixed project list and no-op subscriptions, nothing on the wire. */
export { memoryStorage };

export function fakeBridge(projects: string[] = []) {
  return {
    kind: 'web',
    connectionState: () => INITIAL_STATE,
    onConnectionState: () => () => undefined,
    onDeliveries: () => () => undefined,
    subscribe: vi.fn(() => ({ unsubscribe: () => undefined, setUrgent: () => undefined })),
    listProjects: vi.fn(async () => projects),
    retryNow: () => undefined,
    hubInfo: () => ({ label: 'Test hub', url: 'ws://test/ws', builtIn: false }),
    getServer: async () => ({ url: 'ws://test/ws', hasToken: true }),
    setServer: async () => undefined,
    openExternal: () => undefined,
    writeClipboard: async () => undefined,
    sendInput: vi.fn(async () => ({ ok: true as const, inputId: 'input-1' })),
  } satisfies FalconBridge;
}

export function createTestServices(bridge: FalconBridge = fakeBridge()): Services {
  return {
    bridge,
    connection: createConnectionStore(INITIAL_STATE),
    board: createBoardStore(),
    layout: createLayoutStore(memoryStorage()),
    preferences: createPreferencesStore(memoryStorage()),
    filter: createFilterStore(),
    projects: createProjectsStore(bridge),
    output: new OutputRouter(),
    timeline: createTimelineStore(),
    drawer: createDrawerStore(),
    attention: createAttentionStore(),
    answers: createAnswerStore((agentId, input) => bridge.sendInput(agentId, input)),
    notifier: null,
    dispose: () => undefined,
  };
}

export function renderWith(services: Services, ui: ReactNode): RenderResult {
  return render(<ServicesContext.Provider value={services}>{ui}</ServicesContext.Provider>);
}

const clientStores = new WeakMap<Services, ChannelStore>();

/**
 * Hands a batch to the page as the client core would: through a real
 * ChannelStore (the one reducer, which sets each delivery's `change`), then
 * to the renderer's board store.
 */
export function deliver(services: Services, batch: Delivery[], now: number): void {
  let store = clientStores.get(services);
  if (!store) {
    store = new ChannelStore(null);
    clientStores.set(services, store);
  }
  store.apply(batch, now);
  services.board.getState().applyDeliveries(batch, now);
  services.timeline.getState().record(batch, now);
}

/** Loads issues and agents as a project snapshot would (no flash). */
export function seed(services: Services, issues: IssueState[], agents: AgentState[] = []): void {
  const channel: Channel = 'project:alpha';
  deliver(services, [{ kind: 'snapshot', channel, data: { issues, agents } }], Date.now());
}

export function event(channel: Channel, name: string, data: unknown): Delivery {
  return { kind: 'event', channel, event: name, data };
}
