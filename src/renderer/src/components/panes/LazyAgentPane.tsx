import { Suspense, lazy, memo } from 'react';
import type { AgentPaneProps } from './AgentPane';

/**
 * The agent pane, loaded on first use: it is what pulls in xterm.js, its
 * addons and its stylesheet (about half of the renderer), none of which the
 * board needs to paint. The chunk is fetched when the first pane opens (at
 * start when the saved layout has panes); until it arrives the pane's slot
 * shows an empty pane frame, so the grid keeps its shape.
 */
const AgentPane = lazy(() => import('./AgentPane').then((module) => ({ default: module.AgentPane })));

export const LazyAgentPane = memo(function LazyAgentPane(props: AgentPaneProps) {
  return (
    <Suspense fallback={<PaneLoading agentId={props.agentId} focused={props.focused} />}>
      <AgentPane {...props} />
    </Suspense>
  );
});

function PaneLoading({ agentId, focused }: { agentId: string; focused: boolean }) {
  return (
    <div className={focused ? 'agent-pane focused' : 'agent-pane'} data-testid="agent-pane-loading" aria-busy="true">
      <span className="agent-pane-loading" role="status">
        Loading {agentId}’s output…
      </span>
    </div>
  );
}
