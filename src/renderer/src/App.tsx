import { type CSSProperties, useEffect, useState } from 'react';
import { useKnownProjects } from './components/shell/use-known-projects';
import { AgentList } from './components/agents/AgentList';
import { AttentionMenu } from './components/attention/AttentionMenu';
import { useAttentionSignals } from './components/attention/use-attention-signals';
import { Board } from './components/board/Board';
import { FilterBar } from './components/board/FilterBar';
import { IssueDrawer } from './components/board/IssueDrawer';
import { ProjectSwitcher } from './components/board/ProjectSwitcher';
import { GlobalSearch } from './components/panes/GlobalSearch';
import { PaneGrid } from './components/panes/PaneGrid';
import { ChannelFreshness } from './components/shell/ChannelFreshness';
import { ConnectionBanner } from './components/shell/ConnectionBanner';
import { SettingsDialog, ShortcutsDialog } from './components/shell/lazy-dialogs';
import { SignIn } from './components/shell/SignIn';
import { Splitter } from './components/shell/Splitter';
import { useLayoutShortcuts } from './components/shell/use-layout-shortcuts';
import { BOARD_RATIO } from './stores/layout-store';
import { showTarget } from './lib/show-target';
import { useLayout, usePreferences, useServices } from './services';
import { channelOf } from '../../shared/protocol';
import './components/shell/shell.css';
import './components/shell/layout.css';

const BOARD_AREA_ID = 'board-area';

export function App() {
  const { bridge } = useServices();
  const theme = usePreferences((s) => s.theme);
  const projectId = useLayout((s) => s.projectId);
  const panes = useLayout((s) => s.panes);
  const boardRatio = useLayout((s) => s.boardRatio);
  const boardCollapsed = useLayout((s) => s.boardCollapsed);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [needsSignIn, setNeedsSignIn] = useState(false);
  useAttentionSignals();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    if (bridge.kind !== 'web') return;
    void bridge.getServer().then((server) => setNeedsSignIn(!server.hasToken));
    return bridge.onConnectionState((state) => {
      if (state.status === 'open') setNeedsSignIn(false);
    });
  }, [bridge]);

  // Every project the token may read, each with its snapshot first: the board
  // shows the selected one, while agents (shared by all projects) and
  // attention badges need them all.
  const projects = useKnownProjects(projectId);
  useEffect(() => {
    const subscriptions = projects.map((id) => bridge.subscribe(channelOf.project(id), { snapshot: true }));
    return () => subscriptions.forEach((subscription) => subscription.unsubscribe());
  }, [bridge, projects]);

  // Desktop: tell main what is in view (no notification for it), and follow notification clicks.
  const { layout, board, filter, answers } = useServices();
  const focusedAgent = useLayout((s) => s.panes.find((pane) => pane.id === s.focusedPaneId)?.agentId ?? null);
  useEffect(() => {
    bridge.setViewing?.(focusedAgent ? { kind: 'agent', id: focusedAgent } : null);
  }, [bridge, focusedAgent]);
  useEffect(() => {
    if (!bridge.onFocusTarget) return;
    return bridge.onFocusTarget((target) => showTarget({ layout, board, filter, answers }, target));
  }, [bridge, layout, board, filter, answers]);
  // A detached window shows the one agent it was opened for.
  useEffect(() => {
    if (bridge.target?.kind === 'agent') layout.getState().openPane(bridge.target.id);
  }, [bridge, layout]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '?' || isTyping(event.target)) return;
      event.preventDefault();
      setHelpOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useLayoutShortcuts(() => setSettingsOpen(true));

  if (bridge.target) {
    // A detached window: just the pane it was opened for.
    return (
      <div className="app">
        <ConnectionBanner onOpenSettings={() => setSettingsOpen(true)} />
        <section className="panes-area detached" aria-label="Agent output">
          <PaneGrid />
        </section>
        <SettingsDialog open={settingsOpen} onClose={() => setSettingsOpen(false)} />
      </div>
    );
  }

  if (needsSignIn) {
    return (
      <div className="app sign-in-page">
        <ConnectionBanner onOpenSettings={() => setSettingsOpen(true)} />
        <SignIn />
        <SettingsDialog open={settingsOpen} onClose={() => setSettingsOpen(false)} />
      </div>
    );
  }

  const split = boardCollapsed ? 'collapsed' : panes.length === 0 ? 'board' : 'split';
  const shares = { '--board-share': `${boardRatio}fr`, '--panes-share': `${1 - boardRatio}fr` } as CSSProperties;
  const channels = [
    ...(projectId ? [channelOf.project(projectId)] : []),
    ...new Set(panes.map((pane) => channelOf.agent(pane.agentId))),
  ];
  return (
    <div className="app">
      <header className="app-header">
        <span className="app-title">Falcon Monitor</span>
        <button
          type="button"
          className="board-toggle"
          aria-expanded={!boardCollapsed}
          aria-controls={BOARD_AREA_ID}
          title={boardCollapsed ? 'Show the board (b)' : 'Hide the board (b)'}
          onClick={() => layout.getState().toggleBoard()}
        >
          Board
        </button>
        <ProjectSwitcher />
        <FilterBar />
        <span className="spacer" />
        <AttentionMenu />
        <ChannelFreshness channels={channels} />
        <button type="button" onClick={() => setHelpOpen(true)} aria-label="Keyboard shortcuts">
          ?
        </button>
        <button type="button" onClick={() => setSettingsOpen(true)}>
          Settings
        </button>
      </header>
      <ConnectionBanner onOpenSettings={() => setSettingsOpen(true)} />
      <main className="app-main" data-split={split} style={shares}>
        {/* Hidden, not removed, so the toggle's aria-controls always names it; the board itself unmounts. */}
        <section className="board-area" id={BOARD_AREA_ID} aria-label="Issues" hidden={boardCollapsed}>
          {boardCollapsed ? null : <Board />}
        </section>
        {split === 'split' ? (
          <Splitter
            value={boardRatio}
            min={BOARD_RATIO.min}
            max={BOARD_RATIO.max}
            controls={BOARD_AREA_ID}
            label="Resize the board and the panes"
            onChange={(ratio) => layout.getState().setBoardRatio(ratio)}
            onReset={() => layout.getState().resetBoardRatio()}
          />
        ) : null}
        <aside className="agents-area" aria-label="Agents">
          <AgentList />
        </aside>
        <section className="panes-area" aria-label="Agent output">
          <PaneGrid />
        </section>
      </main>
      <IssueDrawer />
      <SettingsDialog open={settingsOpen} onClose={() => setSettingsOpen(false)} />
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      <GlobalSearch />
    </div>
  );
}

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}
