import '@xterm/xterm/css/xterm.css';
import './panes.css';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { BridgeSubscription } from '../../../../shared/bridge';
import { channelOf } from '../../../../shared/protocol';
import { statusLabel } from '../../lib/board-view';
import { AgentStateAge } from '../agents/AgentStateAge';
import { AgentInputBar } from '../answer/AgentInputBar';
import { outputFileName, saveTextFile } from '../../lib/save-text';
import { useBoard, useLayout, usePreferences, useServices } from '../../services';
import { type FilterCount, type SearchDirection, type SearchOptions, TerminalView } from '../../terminal/terminal-view';
import { LineFilterBar } from './LineFilterBar';
import { PaneIcon } from './pane-icons';
import { PaneMenu, type PaneMenuItem } from './PaneMenu';
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

/** The pane-local tool keys (Alt + a letter, by key position so macOS's Option characters do not matter). */
const TOOL_KEYS: Record<string, 'wrap' | 'timestamps' | 'filter' | 'reply'> = {
  KeyZ: 'wrap',
  KeyT: 'timestamps',
  KeyL: 'filter',
  KeyR: 'reply',
};

/**
 * One agent's live output in a terminal, with its toolbar. The terminal is
 * created once per mount and fed by the OutputRouter directly — output never
 * passes through React state.
 */
export const AgentPane = memo(function AgentPane({ paneId, agentId, focused, visible, position }: AgentPaneProps) {
  const { bridge, layout, output, preferences } = useServices();
  const paneViews = output.panes;
  const agent = useBoard((s) => s.agents[agentId]);
  const maximized = useLayout((s) => s.maximizedPaneId === paneId);
  const theme = usePreferences((s) => s.theme);
  const scrollback = usePreferences((s) => s.scrollback);
  const rootRef = useRef<HTMLElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const searchInputRef = useRef<HTMLInputElement>(null);
  const filterInputRef = useRef<HTMLInputElement>(null);
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const viewRef = useRef<TerminalView | null>(null);
  const subscriptionRef = useRef<BridgeSubscription | null>(null);
  const urgent = focused && visible;
  const urgentRef = useRef(urgent);
  const visibleRef = useRef(visible);
  const focusedRef = useRef(focused);
  const [following, setFollowing] = useState(true);
  const [searchOpen, setSearchOpen] = useState(false);
  const [searchResults, setSearchResults] = useState<SearchResults | null>(null);
  const [copyNotice, setCopyNotice] = useState('');
  const [unseenLines, setUnseenLines] = useState(0);
  const [wrap, setWrap] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const [filterOpen, setFilterOpen] = useState(false);
  const [filterCount, setFilterCount] = useState<FilterCount | null>(null);
  const [interruptAsked, setInterruptAsked] = useState(false);

  useEffect(() => {
    const host = hostRef.current;
    const root = rootRef.current;
    if (!host || !root) return;
    const { theme, scrollback, tailLines } = preferences.getState();
    const view = new TerminalView({ scrollback, theme, openLink: (url) => bridge.openExternal(url) });
    viewRef.current = view;
    view.setVisible(visibleRef.current);
    view.setFocused(focusedRef.current);
    // data-renderer is set here, not rendered: it changes outside React (WebGL context loss).
    const showRenderer = (renderer: string) => root.setAttribute('data-renderer', renderer);
    const listeners = [
      view.onRendererChange(showRenderer),
      view.onFollowChange(setFollowing),
      view.onSearchResults(setSearchResults),
      view.onUnseenLines(setUnseenLines),
      view.onFilterCount(setFilterCount),
    ];
    view.mount(host);
    const removeView = paneViews.add(paneId, view);
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
      removeView();
      for (const listener of listeners) listener.dispose();
      viewRef.current = null;
      view.dispose();
    };
  }, [agentId, bridge, output, paneViews, paneId, preferences]);

  useEffect(() => {
    if (urgentRef.current === urgent) return;
    urgentRef.current = urgent;
    subscriptionRef.current?.setUrgent(urgent);
  }, [urgent]);

  useEffect(() => viewRef.current?.setTheme(theme), [theme]);
  useEffect(() => viewRef.current?.setWrap(wrap), [wrap]);
  useEffect(() => viewRef.current?.setLineModes({ timestamps }), [timestamps]);
  useEffect(() => viewRef.current?.setScrollback(scrollback), [scrollback]);
  // A layout effect: the view must know before the browser lays the hidden pane out (see setVisible).
  useLayoutEffect(() => {
    visibleRef.current = visible;
    viewRef.current?.setVisible(visible);
  }, [visible]);
  // The focused pane's output is written first in every frame (see FrameBudget).
  useEffect(() => {
    focusedRef.current = focused;
    viewRef.current?.setFocused(focused);
  }, [focused]);

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

  const closeFilter = useCallback(() => {
    setFilterOpen(false);
    setFilterCount(null);
    viewRef.current?.setLineModes({ filter: '' });
    viewRef.current?.focus();
  }, []);

  const toggleFilter = useCallback(() => {
    if (filterOpen) closeFilter();
    else setFilterOpen(true);
  }, [filterOpen, closeFilter]);

  const save = useCallback(() => {
    const view = viewRef.current;
    if (!view) return;
    void view.whenIdle().then(() => {
      saveTextFile(outputFileName(agentId), view.savedText());
      setCopyNotice('Saved');
    });
  }, [agentId]);

  // Pane tools from the keyboard, for the focused pane: Alt+Z/T/L and Ctrl/Cmd+S.
  useEffect(() => {
    if (!urgent) return;
    const onKey = (event: KeyboardEvent) => {
      const command = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
      if (command && event.key.toLowerCase() === 's') {
        event.preventDefault();
        save();
        return;
      }
      const tool = event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey && TOOL_KEYS[event.code];
      // In another text field (the board's filter), Option+letter types a character on macOS: leave it.
      if (!tool || (isTextField(event.target) && !rootRef.current?.contains(event.target as Node))) return;
      event.preventDefault();
      if (tool === 'reply') {
        // Only while the agent waits is there a reply box to go to.
        replyRef.current?.focus();
        return;
      }
      if (tool === 'wrap') setWrap((on) => !on);
      else if (tool === 'timestamps') setTimestamps((on) => !on);
      else toggleFilter();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [urgent, save, toggleFilter]);

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

  const clear = () => {
    viewRef.current?.clear();
    // "Copied" was about the output just cleared.
    setCopyNotice('');
  };

  const status = agent?.status ?? 'unknown';
  const statusText = agent ? statusLabel(agent.status) : 'Unknown';
  const openWindow = bridge.openWindow?.bind(bridge);
  const menuItems: PaneMenuItem[] = [
    { label: 'Wrap long lines', shortcut: 'Alt+Z', checked: wrap, onSelect: () => setWrap(!wrap) },
    { label: 'Show timestamps', shortcut: 'Alt+T', checked: timestamps, onSelect: () => setTimestamps(!timestamps) },
    { label: 'Filter lines', shortcut: 'Alt+L', checked: filterOpen, onSelect: toggleFilter },
    { label: 'Save output to a file', shortcut: 'Ctrl/Cmd+S', onSelect: save },
    { label: 'Copy output', onSelect: copy },
    { label: 'Clear output', onSelect: clear },
    ...(agent && (agent.status === 'working' || agent.status === 'waiting_for_input')
      ? [{ label: 'Interrupt agent…', onSelect: () => setInterruptAsked(true) }]
      : []),
    ...(openWindow
      ? [{ label: 'Detach to its own window', onSelect: () => openWindow({ kind: 'agent', id: agentId }) }]
      : []),
  ];

  return (
    <section
      ref={rootRef}
      className={focused ? 'agent-pane focused' : 'agent-pane'}
      data-testid="agent-pane"
      data-agent-id={agentId}
      data-pane-id={paneId}
      data-follow={String(following)}
      data-wrap={String(wrap)}
      data-timestamps={String(timestamps)}
      data-filtered={String(filterOpen)}
      data-maximized={String(maximized)}
      aria-label={`Output of agent ${agentId}`}
      tabIndex={-1}
      onPointerDownCapture={focusPane}
      onFocusCapture={focusPane}
    >
      <header className="agent-pane-toolbar">
        {/* Who and how: the agent id keeps its full width; status, issue and what follows them shrink first. */}
        <div className="agent-pane-title">
          {position !== undefined ? (
            <kbd className="agent-pane-position" title={`Ctrl/Cmd + ${position}`}>
              {position}
            </kbd>
          ) : null}
          <span className="agent-pane-dot" data-status={status} title={statusText} aria-hidden="true" />
          <span className="agent-pane-id" title={agentId}>
            {agentId}
          </span>
          {/* Status and time in it ("Working 3m", "Stuck 7m", "· as of 12:03" while not connected). */}
          {agent ? (
            <AgentStateAge agentId={agentId} className="agent-pane-status" />
          ) : (
            <span className="agent-pane-status" data-status={status} title={statusText}>
              {statusText}
            </span>
          )}
          {agent?.issueId ? <span className="agent-pane-issue">#{agent.issueId}</span> : null}
        </div>
        <span className="agent-pane-notice" role="status">
          {copyNotice}
        </span>
        <div className="agent-pane-tools">
          <button
            type="button"
            className="agent-pane-icon"
            aria-label="Find in output"
            aria-expanded={searchOpen}
            title="Find in output (Ctrl/Cmd+F)"
            onClick={() => (searchOpen ? closeSearch() : setSearchOpen(true))}
          >
            <PaneIcon name="find" />
          </button>
          <button
            type="button"
            className="agent-pane-icon"
            aria-label="Maximise pane"
            aria-pressed={maximized}
            title={maximized ? 'Restore the other panes' : 'Maximise this pane'}
            onClick={() => layout.getState().toggleMaximize(paneId)}
          >
            <PaneIcon name={maximized ? 'restore' : 'maximize'} />
          </button>
          <PaneMenu label="More pane tools" items={menuItems} />
          <button
            type="button"
            className="agent-pane-icon agent-pane-close"
            aria-label="Close pane"
            title="Close pane"
            onClick={() => layout.getState().closePane(paneId)}
          >
            ✕
          </button>
        </div>
      </header>
      {searchOpen ? (
        <SearchBar inputRef={searchInputRef} results={searchResults} onFind={find} onClose={closeSearch} />
      ) : null}
      {filterOpen ? (
        <LineFilterBar
          inputRef={filterInputRef}
          count={filterCount}
          onChange={(term) => viewRef.current?.setLineModes({ filter: term })}
          onClose={closeFilter}
        />
      ) : null}
      <div className="agent-pane-body" data-wrap={String(wrap)}>
        <div className="agent-pane-scroller">
          <div ref={hostRef} className="agent-pane-terminal" />
        </div>
        {following ? null : (
          <button
            type="button"
            className="agent-pane-live"
            aria-label={unseenLines > 0 ? `Jump to live output, ${newLines(unseenLines)}` : 'Jump to live output'}
            onClick={() => {
              viewRef.current?.jumpToLive();
              viewRef.current?.focus();
            }}
          >
            {unseenLines > 0 ? `${newLines(unseenLines)} · ` : ''}Jump to live ↓
          </button>
        )}
      </div>
      <AgentInputBar
        agentId={agentId}
        replyRef={replyRef}
        onLeave={() => viewRef.current?.focus()}
        interruptAsked={interruptAsked}
        onInterruptDone={() => setInterruptAsked(false)}
      />
    </section>
  );
});

function newLines(count: number): string {
  return count === 1 ? '1 new line' : `${count.toLocaleString('en')} new lines`;
}

function isTextField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA'].includes(target.tagName));
}
