import '@xterm/xterm/css/xterm.css';
import './panes.css';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { BridgeSubscription } from '../../../../shared/bridge';
import { channelOf } from '../../../../shared/protocol';
import { statusLabel } from '../../lib/board-view';
import { useBoard, usePreferences, useServices } from '../../services';
import { type SearchDirection, type SearchOptions, TerminalView } from '../../terminal/terminal-view';
import { SearchBar, type SearchResults } from './SearchBar';

export interface AgentPaneProps {
  paneId: string;
  agentId: string;
  /** The layout's focused pane: its output is urgent and Ctrl/Cmd+F searches it. */
  focused: boolean;
  /** False while hidden behind another tab (the pane stays mounted and keeps its output). */
  visible: boolean;
  /** 1-based position, shown as the Ctrl/Cmd + N shortcut hint. */
  position?: number;
}

const COPY_NOTICE_MS = 2000;

/**
 * One agent's live output in a terminal, with its toolbar. The terminal is
 * created once per mount and fed by the OutputRouter directly — output never
 * passes through React state.
 */
export const AgentPane = memo(function AgentPane({ paneId, agentId, focused, visible, position }: AgentPaneProps) {
  const { bridge, layout, output, preferences } = useServices();
  const agent = useBoard((s) => s.agents[agentId]);
  const theme = usePreferences((s) => s.theme);
  const scrollback = usePreferences((s) => s.scrollback);
  const rootRef = useRef<HTMLElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const searchInputRef = useRef<HTMLInputElement>(null);
  const viewRef = useRef<TerminalView | null>(null);
  const subscriptionRef = useRef<BridgeSubscription | null>(null);
  const urgent = focused && visible;
  const urgentRef = useRef(urgent);
  const visibleRef = useRef(visible);
  const [following, setFollowing] = useState(true);
  const [searchOpen, setSearchOpen] = useState(false);
  const [searchResults, setSearchResults] = useState<SearchResults | null>(null);
  const [copyNotice, setCopyNotice] = useState('');

  useEffect(() => {
    const host = hostRef.current;
    const root = rootRef.current;
    if (!host || !root) return;
    const { theme, scrollback, tailLines } = preferences.getState();
    const view = new TerminalView({ scrollback, theme, openLink: (url) => bridge.openExternal(url) });
    viewRef.current = view;
    view.setVisible(visibleRef.current);
    // data-renderer is set here, not rendered: it changes outside React (WebGL context loss).
    const showRenderer = (renderer: string) => root.setAttribute('data-renderer', renderer);
    const listeners = [
      view.onRendererChange(showRenderer),
      view.onFollowChange(setFollowing),
      view.onSearchResults(setSearchResults),
    ];
    view.mount(host);
    showRenderer(view.renderer);
    // The sink first, so the tail that answers the subscription has somewhere to go.
    const channel = channelOf.agent(agentId);
    const removeSink = output.add(channel, view);
    const subscription = bridge.subscribe(channel, { tail: tailLines, urgent: urgentRef.current });
    subscriptionRef.current = subscription;
    return () => {
      subscriptionRef.current = null;
      subscription.unsubscribe();
      removeSink();
      for (const listener of listeners) listener.dispose();
      viewRef.current = null;
      view.dispose();
    };
  }, [agentId, bridge, output, preferences]);

  useEffect(() => {
    if (urgentRef.current === urgent) return;
    urgentRef.current = urgent;
    subscriptionRef.current?.setUrgent(urgent);
  }, [urgent]);

  useEffect(() => viewRef.current?.setTheme(theme), [theme]);
  useEffect(() => viewRef.current?.setScrollback(scrollback), [scrollback]);
  // A layout effect: the view must know before the browser lays the hidden pane out (see setVisible).
  useLayoutEffect(() => {
    visibleRef.current = visible;
    viewRef.current?.setVisible(visible);
  }, [visible]);

  useEffect(() => {
    if (!urgent) return;
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.key.toLowerCase() !== 'f')
        return;
      event.preventDefault();
      const input = searchInputRef.current;
      if (input) {
        input.focus();
        input.select();
      } else setSearchOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [urgent]);

  useEffect(() => {
    if (!copyNotice) return;
    const timer = setTimeout(() => setCopyNotice(''), COPY_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [copyNotice]);

  const focusPane = () => {
    if (!focused) layout.getState().focusPane(paneId);
  };

  const find = useCallback(
    (term: string, direction: SearchDirection, options: SearchOptions) =>
      viewRef.current?.find(term, direction, options) ?? false,
    [],
  );

  const closeSearch = useCallback(() => {
    setSearchOpen(false);
    setSearchResults(null);
    viewRef.current?.clearSearch();
    viewRef.current?.focus();
  }, []);

  const copy = () => {
    const view = viewRef.current;
    if (!view) return;
    view
      .copy((text) => bridge.writeClipboard(text))
      .then(
        () => setCopyNotice('Copied'),
        () => setCopyNotice('Copy failed'),
      );
  };

  const status = agent?.status ?? 'unknown';
  const openWindow = bridge.openWindow?.bind(bridge);

  return (
    <section
      ref={rootRef}
      className={focused ? 'agent-pane focused' : 'agent-pane'}
      data-testid="agent-pane"
      data-agent-id={agentId}
      data-pane-id={paneId}
      data-follow={String(following)}
      aria-label={`Output of agent ${agentId}`}
      tabIndex={-1}
      onPointerDownCapture={focusPane}
      onFocusCapture={focusPane}
    >
      <header className="agent-pane-toolbar">
        {position !== undefined ? (
          <kbd className="agent-pane-position" title={`Ctrl/Cmd + ${position}`}>
            {position}
          </kbd>
        ) : null}
        <span className="agent-pane-dot" data-status={status} aria-hidden="true" />
        <span className="agent-pane-id" title={agentId}>
          {agentId}
        </span>
        <span className="agent-pane-status" data-status={status}>
          {agent ? statusLabel(agent.status) : 'Unknown'}
        </span>
        {agent?.issueId ? <span className="agent-pane-issue">#{agent.issueId}</span> : null}
        <span className="agent-pane-spacer" />
        <span className="agent-pane-notice" role="status">
          {copyNotice}
        </span>
        <button
          type="button"
          aria-label="Find in output"
          aria-expanded={searchOpen}
          title="Find in output (Ctrl/Cmd+F)"
          onClick={() => (searchOpen ? closeSearch() : setSearchOpen(true))}
        >
          Find
        </button>
        <button
          type="button"
          aria-label="Clear output"
          title="Clear output"
          onClick={() => {
            viewRef.current?.clear();
            // "Copied" was about the output just cleared.
            setCopyNotice('');
          }}
        >
          Clear
        </button>
        <button type="button" aria-label="Copy output" title="Copy the selection, or all output" onClick={copy}>
          Copy
        </button>
        {openWindow ? (
          <button
            type="button"
            aria-label="Detach to its own window"
            title="Detach to its own window"
            onClick={() => openWindow({ kind: 'agent', id: agentId })}
          >
            Detach
          </button>
        ) : null}
        <button
          type="button"
          className="agent-pane-close"
          aria-label="Close pane"
          title="Close pane"
          onClick={() => layout.getState().closePane(paneId)}
        >
          ✕
        </button>
      </header>
      {searchOpen ? (
        <SearchBar inputRef={searchInputRef} results={searchResults} onFind={find} onClose={closeSearch} />
      ) : null}
      <div className="agent-pane-body">
        <div ref={hostRef} className="agent-pane-terminal" />
        {following ? null : (
          <button
            type="button"
            className="agent-pane-live"
            aria-label="Jump to live output"
            onClick={() => {
              viewRef.current?.jumpToLive();
              viewRef.current?.focus();
            }}
          >
            Jump to live ↓
          </button>
        )}
      </div>
    </section>
  );
});
