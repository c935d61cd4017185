/**
 * The page the quick-answer layout suite runs in Chromium (built by
 * test/helpers/component-page.ts): an issue card in a board column's width
 * and an agent row in the sidebar's, over the real services and the app's
 * own CSS, for an agent whose request the test hands in.
 */
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import '../../../src/renderer/src/app.css';
import { AgentRow } from '../../../src/renderer/src/components/agents/AgentRow';
import { IssueCard } from '../../../src/renderer/src/components/board/IssueCard';
import { ServicesContext, createServices } from '../../../src/renderer/src/services';
import type { FalconBridge } from '../../../src/shared/bridge';
import { INITIAL_STATE } from '../../../src/shared/connection-state';
import type { Delivery } from '../../../src/shared/delivery';
import type { AgentState } from '../../../src/shared/protocol';

declare global {
  interface Window {
    cardKit: {
      /** Renders the card (`width` px) and the row (`width` px) for an agent waiting with `agent`'s request. */
      render(agent: AgentState, width: number): Promise<void>;
    };
  }
  var IS_REACT_ACT_ENVIRONMENT: boolean;
}

globalThis.IS_REACT_ACT_ENVIRONMENT = true;

window.cardKit = {
  async render(agent, width) {
    const listeners = new Set<(batch: Delivery[]) => void>();
    const bridge: FalconBridge = {
      kind: 'web',
      connectionState: () => INITIAL_STATE,
      onConnectionState: () => () => undefined,
      onDeliveries: (listener) => {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
      subscribe: () => ({ setUrgent: () => undefined, unsubscribe: () => undefined }),
      listProjects: async () => [],
      retryNow: () => undefined,
      hubInfo: () => ({ label: 'Test hub', url: 'ws://test/ws', builtIn: false }),
      getServer: async () => ({ url: 'ws://test/ws', hasToken: true }),
      setServer: async () => undefined,
      openExternal: () => undefined,
      writeClipboard: async () => undefined,
      sendInput: async () => ({ ok: false, code: 'not_connected', message: 'the test page has no hub' }),
    };
    const services = createServices(bridge);
    const issue = {
      issueId: '12',
      projectId: 'alpha',
      title: 'Fix login',
      status: 'in_progress',
      agentId: agent.agentId,
    };
    for (const listener of listeners) {
      listener([{ kind: 'snapshot', channel: 'project:alpha', data: { issues: [issue], agents: [agent] } }]);
    }
    const root = createRoot(document.getElementById('root') as HTMLElement);
    await act(async () =>
      root.render(
        <ServicesContext.Provider value={services}>
          <div data-testid="column" style={{ width: `${width}px` }}>
            <IssueCard issueId="12" />
          </div>
          <ul data-testid="sidebar" style={{ width: `${width}px`, listStyle: 'none', padding: 0 }}>
            <AgentRow agentId={agent.agentId} />
          </ul>
        </ServicesContext.Provider>,
      ),
    );
  },
};
