/**
 * The page the pane component suites run in Chromium (built by
 * test/helpers/component-page.ts). xterm needs a real canvas and layout to
 * mount, so the panes get the real TerminalView here, over the real services
 * (createServices) and a bridge that records what the panes ask of it.
 * Tests drive it through `window.paneKit` and read the terminals' buffers.
 */
import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { AgentPane, type AgentPaneProps } from '../../../src/renderer/src/components/panes/AgentPane';
import { GlobalSearch } from '../../../src/renderer/src/components/panes/GlobalSearch';
import { EMPTY_PANES_TEXT, PaneGrid } from '../../../src/renderer/src/components/panes/PaneGrid';
import type { OutputSink } from '../../../src/renderer/src/lib/output-router';
import { ServicesContext, type Services, createServices } from '../../../src/renderer/src/services';
import type { TerminalView } from '../../../src/renderer/src/terminal/terminal-view';
import type { FalconBridge, PaneTarget } from '../../../src/shared/bridge';
import { INITIAL_STATE } from '../../../src/shared/connection-state';
import type { Delivery, SubscribeOptions } from '../../../src/shared/delivery';
import type { AgentState, Channel } from '../../../src/shared/protocol';

export interface RecordedSubscription {
  channel: Channel;
  options: SubscribeOptions | undefined;
  /** Every setUrgent call, in order. */
  urgent: boolean[];
  unsubscribed: number;
}

export interface TerminalSummary {
  channel: string;
  visible: boolean;
  following: boolean;
  renderer: string;
  disposed: boolean;
  cols: number;
  rows: number;
}

export interface PaneKit {
  services: Services;
  /** What the grid says when no pane is open. */
  emptyPanesText: string;
  subscriptions: RecordedSubscription[];
  /** URLs handed to bridge.openExternal. */
  opened: string[];
  /** Texts handed to bridge.writeClipboard. */
  clipboard: string[];
  /** Targets handed to bridge.openWindow. */
  windows: PaneTarget[];
  /** Renders one AgentPane for `agent-1` (waiting for input, on issue #42); resolves with its pane id. */
  agentPane(props?: Partial<AgentPaneProps>, options?: { detachable?: boolean }): Promise<string>;
  rerender(props: Partial<AgentPaneProps>): Promise<void>;
  /** Opens a pane per agent in the layout and renders the PaneGrid (and search across panes); resolves with the pane ids. */
  paneGrid(agentIds: string[]): Promise<string[]>;
  unmount(): Promise<void>;
  /** Hands a batch to the services as the bridge would (the real routing to terminals and stores). */
  deliver(batch: Delivery[]): Promise<void>;
  /** Runs `change` (a store action) inside React's act, so the panes have re-rendered when it resolves. */
  run(change: () => void): Promise<void>;
  /** The terminals the panes registered with the output router, in mount order. */
  terminals(): TerminalSummary[];
  /** What terminal `index` holds, once xterm has parsed everything written to it. */
  text(index?: number, lastLines?: number): Promise<string>;
  /** What the pane's xterm holds now, without waiting for queued output (a hidden pane's stays queued). */
  parsedText(index?: number): string;
  /** The terminal's selection (what Copy would copy), or its whole text when nothing is selected. */
  selection(index?: number): Promise<string>;
  /** Lines written to terminal `index` since its user scrolled up. */
  unseenLines(index?: number): number;
  /** Resizes the area the components lay out in (the app's pane area). */
  resize(width: number, height: number): Promise<void>;
}

declare global {
  interface Window {
    paneKit: PaneKit;
  }
  var IS_REACT_ACT_ENVIRONMENT: boolean;
}

globalThis.IS_REACT_ACT_ENVIRONMENT = true;

const AGENT: AgentState = { agentId: 'agent-1', status: 'waiting_for_input', issueId: '42' };

function recordingBridge(
  kit: Pick<PaneKit, 'subscriptions' | 'opened' | 'clipboard' | 'windows'>,
  detachable: boolean,
) {
  const listeners = new Set<(batch: Delivery[]) => void>();
  const bridge: FalconBridge = {
    kind: 'web',
    connectionState: () => INITIAL_STATE,
    onConnectionState: () => () => undefined,
    onDeliveries: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    subscribe: (channel, options) => {
      const recorded: RecordedSubscription = { channel, options, urgent: [], unsubscribed: 0 };
      kit.subscriptions.push(recorded);
      return {
        setUrgent: (urgent) => void recorded.urgent.push(urgent),
        unsubscribe: () => void recorded.unsubscribed++,
      };
    },
    listProjects: async () => [],
    retryNow: () => undefined,
    hubInfo: () => ({ label: 'Test hub', url: 'ws://test/ws', builtIn: false }),
    getServer: async () => ({ url: 'ws://test/ws', hasToken: true }),
    setServer: async () => undefined,
    openExternal: (url) => void kit.opened.push(url),
    writeClipboard: async (text) => void kit.clipboard.push(text),
    sendInput: async () => ({ ok: false, code: 'not_connected', message: 'the test page has no hub' }),
    ...(detachable ? { openWindow: (target: PaneTarget) => void kit.windows.push(target) } : {}),
  };
  return { bridge, deliver: (batch: Delivery[]) => listeners.forEach((listener) => listener(batch)) };
}

let root: Root | null = null;
let deliver: (batch: Delivery[]) => void = () => undefined;
let currentProps: AgentPaneProps | null = null;
const sinks: Array<{ channel: string; view: TerminalView }> = [];

/** Fresh services for one rendering; the router records each sink (the pane's real TerminalView) as it is added. */
function setUp(detachable: boolean): Services {
  const { bridge, deliver: hand } = recordingBridge(window.paneKit, detachable);
  deliver = hand;
  const services = createServices(bridge);
  const add = services.output.add.bind(services.output);
  services.output.add = (channel: string, sink: OutputSink) => {
    sinks.push({ channel, view: sink as TerminalView });
    return add(channel, sink);
  };
  window.paneKit.services = services;
  hand([{ kind: 'snapshot', channel: 'project:alpha', data: { issues: [], agents: [AGENT] } }]);
  return services;
}

async function render(ui: ReactNode): Promise<void> {
  const services = window.paneKit.services;
  root ??= createRoot(document.getElementById('root') as HTMLElement);
  const mounted = root;
  await act(async () => mounted.render(<ServicesContext.Provider value={services}>{ui}</ServicesContext.Provider>));
}

function viewAt(index: number): TerminalView {
  const sink = sinks[index];
  if (!sink) throw new Error(`no terminal ${index}; ${sinks.length} mounted`);
  return sink.view;
}

/** A disposed view refuses to mount again with its own error; a live one says it is mounted already. */
function isDisposed(view: TerminalView): boolean {
  try {
    view.mount(document.createElement('div'));
  } catch (error) {
    return (error as Error).message === 'TerminalView is disposed';
  }
  throw new Error('a mounted view mounted twice');
}

window.paneKit = {
  services: undefined as unknown as Services,
  emptyPanesText: EMPTY_PANES_TEXT,
  subscriptions: [],
  opened: [],
  clipboard: [],
  windows: [],

  async agentPane(props = {}, { detachable = false } = {}) {
    const services = setUp(detachable);
    const paneId = services.layout.getState().openPane('agent-1');
    currentProps = { paneId, agentId: 'agent-1', focused: true, visible: true, ...props };
    await render(<AgentPane {...currentProps} />);
    return paneId;
  },

  async rerender(props) {
    if (!currentProps) throw new Error('no AgentPane rendered');
    currentProps = { ...currentProps, ...props };
    await render(<AgentPane {...currentProps} />);
  },

  async paneGrid(agentIds) {
    const services = setUp(false);
    const paneIds = agentIds.map((agentId) => services.layout.getState().openPane(agentId));
    await render(
      <>
        <PaneGrid />
        <GlobalSearch />
      </>,
    );
    return paneIds;
  },

  async unmount() {
    const mounted = root;
    root = null;
    if (mounted) await act(async () => mounted.unmount());
  },

  async deliver(batch) {
    await act(async () => deliver(batch));
  },

  async run(change) {
    await act(async () => change());
  },

  terminals() {
    return sinks.map(({ channel, view }) => {
      const disposed = isDisposed(view);
      return {
        channel,
        disposed,
        visible: view.visible,
        following: view.following,
        renderer: view.renderer,
        cols: disposed ? 0 : view.cols,
        rows: disposed ? 0 : view.rows,
      };
    });
  },

  async text(index = 0, lastLines) {
    const view = viewAt(index);
    await view.whenIdle();
    return view.textContent(lastLines);
  },

  parsedText(index = 0) {
    return viewAt(index).textContent();
  },

  unseenLines(index = 0) {
    return viewAt(index).unseenLines;
  },

  async resize(width, height) {
    for (const element of [document.documentElement, document.body, document.getElementById('root')]) {
      if (!element) continue;
      element.style.width = `${width}px`;
      element.style.height = `${height}px`;
    }
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  },

  async selection(index = 0) {
    const view = viewAt(index);
    await view.whenIdle();
    return view.copy(async () => undefined);
  },
};
