import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { needsAttention } from '../../shared/board-state';
import type { FalconBridge } from '../../shared/bridge';
import { OutputRouter } from './lib/output-router';
import { WebNotifier } from './lib/web-notifier';
import { type AnswerSlice, type AnswerStore, createAnswerStore } from './stores/answer-store';
import { type AttentionSlice, type AttentionStore, createAttentionStore } from './stores/attention-store';
import { type BoardSlice, type BoardStore, createBoardStore } from './stores/board-store';
import { type ConnectionSlice, type ConnectionStore, createConnectionStore } from './stores/connection-store';
import { type FilterSlice, type FilterStore, createFilterStore } from './stores/filter-store';
import { type LayoutSlice, type LayoutStore, createLayoutStore } from './stores/layout-store';
import { memoryStorage } from './stores/memory-storage';
import { type PreferencesSlice, type PreferencesStore, createPreferencesStore } from './stores/preferences-store';
import { type ProjectsSlice, type ProjectsStore, createProjectsStore } from './stores/projects-store';
import { type DrawerSlice, type DrawerStore, createDrawerStore } from './stores/drawer-store';
import { type TimelineSlice, type TimelineStore, createTimelineStore } from './stores/timeline-store';

/** Everything the UI needs, created once per page and handed down by context. */
export interface Services {
  bridge: FalconBridge;
  connection: ConnectionStore;
  board: BoardStore;
  layout: LayoutStore;
  preferences: PreferencesStore;
  filter: FilterStore;
  /** The hub's project list, polled in one place for the whole page. */
  projects: ProjectsStore;
  output: OutputRouter;
  /** Each issue's status/stage/agent changes, for the issue details. */
  timeline: TimelineStore;
  /** Which issue's details are open. */
  drawer: DrawerStore;
  /** Agents waiting for input or failed, oldest first (derived from the board store). */
  attention: AttentionStore;
  /** This page's answers to agents and who answered each last. */
  answers: AnswerStore;
  /** The web edition's browser notifications; null in the desktop app (main notifies there). */
  notifier: WebNotifier | null;
  dispose(): void;
}

export function createServices(bridge: FalconBridge, now: () => number = Date.now): Services {
  const connection = createConnectionStore(bridge.connectionState());
  const board = createBoardStore();
  const output = new OutputRouter();
  const projects = createProjectsStore(bridge);
  const timeline = createTimelineStore();
  // A detached window's layout is its own and is not saved: the main window's must not change.
  const layout = createLayoutStore(bridge.target ? memoryStorage() : undefined, {
    needsAttention: (agentId) => {
      const agent = board.getState().agents[agentId];
      return agent !== undefined && needsAttention(agent);
    },
  });
  const preferences = createPreferencesStore();
  const attention = createAttentionStore();
  const answers = createAnswerStore((agentId, input) => bridge.sendInput(agentId, input));
  const filter = createFilterStore();
  const notifier =
    bridge.kind === 'web' && !bridge.target
      ? new WebNotifier({
          stores: { board, layout, filter, preferences, answers },
          Notification: typeof Notification === 'undefined' ? undefined : Notification,
          pageFocused: () => document.visibilityState === 'visible' && document.hasFocus(),
          focusWindow: () => window.focus(),
          now,
        })
      : null;
  const undo = [
    bridge.onConnectionState((state) => {
      const wasOpen = connection.getState().state.status === 'open';
      connection.getState().setState(state, now());
      // Signed in again, or back after an outage: the list may have changed (it was empty while refused).
      if (state.status === 'open' && !wasOpen) projects.refresh();
    }),
    board.subscribe((state, previous) => {
      if (state.agents !== previous.agents) attention.getState().sync(state.agents, now());
    }),
    bridge.onDeliveries((batch) => {
      const time = now();
      // Terminal output first: it goes straight to xterm, the stores only re-render what changed.
      output.route(batch);
      attention.getState().noteDeliveries(batch);
      board.getState().applyDeliveries(batch, time);
      connection.getState().noteDeliveries(batch, time);
      timeline.getState().record(batch, time);
      answers.getState().noteDeliveries(batch);
      // After the board: the policy reads the records as the batch left them.
      notifier?.ingest(batch);
    }),
    () => notifier?.dispose(),
  ];
  return {
    bridge,
    connection,
    board,
    layout,
    preferences,
    filter,
    projects,
    output,
    timeline,
    drawer: createDrawerStore(),
    attention,
    answers,
    notifier,
    dispose: () => undo.forEach((fn) => fn()),
  };
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesContext');
  return services;
}

/** Hooks that select the smallest slice each component needs. */
export const useBoard = <T>(selector: (state: BoardSlice) => T): T => useStore(useServices().board, selector);
export const useConnection = <T>(selector: (state: ConnectionSlice) => T): T =>
  useStore(useServices().connection, selector);
export const useLayout = <T>(selector: (state: LayoutSlice) => T): T => useStore(useServices().layout, selector);
export const usePreferences = <T>(selector: (state: PreferencesSlice) => T): T =>
  useStore(useServices().preferences, selector);
export const useProjects = <T>(selector: (state: ProjectsSlice) => T): T => useStore(useServices().projects, selector);
export const useTimeline = <T>(selector: (state: TimelineSlice) => T): T => useStore(useServices().timeline, selector);
export const useDrawer = <T>(selector: (state: DrawerSlice) => T): T => useStore(useServices().drawer, selector);
export const useAttention = <T>(selector: (state: AttentionSlice) => T): T =>
  useStore(useServices().attention, selector);
export const useAnswers = <T>(selector: (state: AnswerSlice) => T): T => useStore(useServices().answers, selector);
export const useFilter = <T>(selector: (state: FilterSlice) => T): T => useStore(useServices().filter, selector);
