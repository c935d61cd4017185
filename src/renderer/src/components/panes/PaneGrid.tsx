import { rovingIndex } from '../../lib/roving-index';
import './panes.css';
import { type CSSProperties, type KeyboardEvent, memo, useEffect, useRef } from 'react';
import { MAX_PANES, type PaneState } from '../../stores/layout-store';
import { statusLabel } from '../../lib/board-view';
import { layoutAction } from '../../lib/layout-keys';
import { useBoard, useLayout, useServices } from '../../services';
import { dialogOpen } from '../shell/use-layout-shortcuts';
import { gridDimensions, paneShortcutIndex } from './grid-dimensions';
import { LazyAgentPane } from './LazyAgentPane';

export const EMPTY_PANES_TEXT = 'Open an agent from the list to watch its output';

/**
 * The open panes, as an automatic grid or as tabs. Panes stay mounted when
 * the mode changes or a tab is hidden (display: none), so their terminals keep
 * their output; a hidden pane is told it is not visible. A maximised pane
 * is shown alone the same way. Ctrl/Cmd + 1…9 focuses pane N; in the main
 * window Ctrl/Cmd+Shift+Enter maximises or restores the focused pane and
 * Ctrl/Cmd+Shift+X closes it (from its terminal too).
 */
export function PaneGrid() {
  const { layout, bridge } = useServices();
  const panes = useLayout((s) => s.panes);
  const focusedPaneId = useLayout((s) => s.focusedPaneId);
  const mode = useLayout((s) => s.mode);
  const closedForRoom = useLayout((s) => s.closedForRoom);
  const maximizedPaneId = useLayout((s) => s.maximizedPaneId);
  const rootRef = useRef<HTMLDivElement>(null);
  // A detached window shows its one pane: nothing to maximise, and closing it would leave an empty window.
  const paneKeys = !bridge.target;

  useEffect(() => {
    let frame = 0;
    const onKey = (event: globalThis.KeyboardEvent) => {
      const index = paneShortcutIndex(event);
      if (index === null) return;
      const pane = layout.getState().panes[index];
      if (!pane) return;
      event.preventDefault();
      layout.getState().focusPane(pane.id);
      // Keyboard focus follows, once React has shown the pane (it may be a hidden tab).
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => focusPaneElement(rootRef.current, pane.id));
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      cancelAnimationFrame(frame);
    };
  }, [layout]);

  useEffect(() => {
    if (!paneKeys) return;
    let frame = 0;
    const onKey = (event: globalThis.KeyboardEvent) => {
      const action = layoutAction(event)?.action;
      if ((action !== 'maximize-pane' && action !== 'close-pane') || event.defaultPrevented || dialogOpen()) return;
      const state = layout.getState();
      const pane = state.panes.find((candidate) => candidate.id === state.focusedPaneId);
      if (!pane) return;
      event.preventDefault();
      const hadFocus = rootRef.current?.contains(document.activeElement) ?? false;
      if (action === 'maximize-pane') state.toggleMaximize(pane.id);
      else state.closePane(pane.id);
      // Keep the keyboard in the panes: in the same pane after a maximise, in the next one after a close.
      const next = layout.getState().focusedPaneId;
      if (!hadFocus || !next) return;
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => focusPaneElement(rootRef.current, next));
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      cancelAnimationFrame(frame);
    };
  }, [layout, paneKeys]);

  const maximized = panes.find((pane) => pane.id === maximizedPaneId) ?? null;
  const activeId = panes.some((pane) => pane.id === focusedPaneId) ? focusedPaneId : (panes[0]?.id ?? null);
  const { columns, rows } = maximized ? { columns: 1, rows: 1 } : gridDimensions(panes.length);
  const tabs = mode === 'tabs';
  const style = { '--pane-columns': columns, '--pane-rows': rows } as CSSProperties;

  return (
    <div className="pane-grid-root" ref={rootRef} data-mode={mode} data-maximized={maximized ? 'true' : undefined}>
      <div className="pane-grid-bar">
        {maximized ? (
          <span className="pane-grid-count" role="status">
            {maximized.agentId} maximised · {panes.length} of {MAX_PANES} panes
          </span>
        ) : tabs && panes.length > 0 ? (
          <PaneTabs panes={panes} activeId={activeId} onSelect={(id) => layout.getState().focusPane(id)} />
        ) : (
          <span className="pane-grid-count">
            {panes.length} of {MAX_PANES} panes
          </span>
        )}
        {closedForRoom && (
          <span className="pane-grid-notice" role="status">
            Closed {closedForRoom.agentId}’s pane to open {closedForRoom.openedAgentId} ({MAX_PANES} panes at most)
            <button
              type="button"
              onClick={() => layout.getState().openPane(closedForRoom.agentId)}
              title={`Open ${closedForRoom.agentId} again (closes the oldest other pane)`}
            >
              Reopen {closedForRoom.agentId}
            </button>
            <button type="button" aria-label="Dismiss" onClick={() => layout.getState().dismissClosedForRoom()}>
              ×
            </button>
          </span>
        )}
        <span className="pane-grid-spacer" />
        {maximized ? (
          <button
            type="button"
            className="pane-restore"
            title="Show all panes again (Ctrl/Cmd + Shift + Enter)"
            onClick={() => layout.getState().toggleMaximize(maximized.id)}
          >
            Restore
          </button>
        ) : null}
        <button
          type="button"
          className="pane-mode-toggle"
          aria-label={tabs ? 'Show panes in a grid' : 'Show panes as tabs'}
          title={tabs ? 'Show panes in a grid' : 'Show panes as tabs'}
          onClick={() => layout.getState().setMode(tabs ? 'grid' : 'tabs')}
        >
          {tabs ? 'Grid' : 'Tabs'}
        </button>
      </div>
      {panes.length === 0 ? <p className="pane-grid-empty">{EMPTY_PANES_TEXT}</p> : null}
      <div className={tabs || maximized ? 'pane-grid pane-grid-tabs' : 'pane-grid'} style={style}>
        {panes.map((pane, index) => {
          const visible = maximized ? pane === maximized : !tabs || pane.id === activeId;
          return (
            // Keyed by agent too: a pane that shows another agent starts a fresh terminal.
            <div
              key={`${pane.id}:${pane.agentId}`}
              className="pane-slot"
              id={`pane-panel-${pane.id}`}
              hidden={!visible}
              role={tabs && !maximized ? 'tabpanel' : undefined}
              aria-labelledby={tabs && !maximized ? `pane-tab-${pane.id}` : undefined}
            >
              <LazyAgentPane
                paneId={pane.id}
                agentId={pane.agentId}
                focused={pane.id === focusedPaneId}
                visible={visible}
                position={index < 9 ? index + 1 : undefined}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}

interface PaneTabsProps {
  panes: PaneState[];
  activeId: string | null;
  onSelect(id: string): void;
}

/** WAI-ARIA tabs with automatic activation: arrows, Home and End move and select. */
function PaneTabs({ panes, activeId, onSelect }: PaneTabsProps) {
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const current = panes.findIndex((pane) => pane.id === activeId);
    const next = rovingIndex(event.key, current, panes.length, 'horizontal');
    if (next === null) return;
    event.preventDefault();
    const pane = panes[next];
    onSelect(pane.id);
    event.currentTarget.querySelector<HTMLElement>(`#${cssId(`pane-tab-${pane.id}`)}`)?.focus();
  };
  return (
    <div className="pane-tabs" role="tablist" aria-label="Open panes" onKeyDown={onKeyDown}>
      {panes.map((pane, index) => (
        <PaneTab key={pane.id} pane={pane} position={index + 1} selected={pane.id === activeId} onSelect={onSelect} />
      ))}
    </div>
  );
}

const PaneTab = memo(function PaneTab({
  pane,
  position,
  selected,
  onSelect,
}: {
  pane: PaneState;
  position: number;
  selected: boolean;
  onSelect(id: string): void;
}) {
  const status = useBoard((s) => s.agents[pane.agentId]?.status);
  return (
    <button
      type="button"
      role="tab"
      className="pane-tab"
      id={`pane-tab-${pane.id}`}
      aria-selected={selected}
      aria-controls={`pane-panel-${pane.id}`}
      tabIndex={selected ? 0 : -1}
      title={position <= 9 ? `Ctrl/Cmd + ${position}` : undefined}
      onClick={() => onSelect(pane.id)}
    >
      <span className="agent-pane-dot" data-status={status ?? 'unknown'} aria-hidden="true" />
      {pane.agentId}
      {status ? <span className="visually-hidden">, {statusLabel(status)}</span> : null}
    </button>
  );
});

function cssId(id: string): string {
  return typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(id) : id.replace(/[^\w-]/g, '\\$&');
}

/** Puts keyboard focus in a pane's terminal (so its scroll keys and Ctrl/Cmd+F work), or on the pane. */
function focusPaneElement(root: HTMLElement | null, paneId: string): void {
  const pane = root?.querySelector<HTMLElement>(`[data-pane-id="${paneId.replace(/["\\]/g, '\\$&')}"]`);
  if (!pane) return;
  (pane.querySelector<HTMLElement>('.xterm-helper-textarea') ?? pane).focus();
}
