import { memo, useEffect, useRef, useState } from 'react';
import { statusLabel } from '../../lib/board-view';
import { focusPaneSoon } from '../../lib/show-target';
import type { AttentionItem } from '../../stores/attention-store';
import { useAttention, useBoard, useLayout, useServices } from '../../services';
import { ElapsedTime } from '../board/ElapsedTime';
import { jumpToNext } from './use-attention-signals';
import './attention.css';

// The agent list's glyphs; all in common fonts (⏸ is missing from many Linux fonts and shows as a box).
const ICONS: Record<AttentionItem['status'], string> = { waiting_for_input: '‖', failed: '✖' };

/**
 * The attention queue in the header: a button with the count that opens a
 * small list — agents waiting for input or failed, oldest first, each with
 * Open and Mark handled — and a Next button (the `a` key).
 */
export function AttentionMenu() {
  const services = useServices();
  const queue = useAttention((s) => s.queue);
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const count = queue.length;

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    // On the document: the button that had focus may just have gone with its row (Mark handled).
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || document.querySelector('dialog[open]')) return;
      event.preventDefault();
      setOpen(false);
      toggleRef.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="attention-menu" ref={rootRef}>
      <button
        type="button"
        ref={toggleRef}
        className="attention-toggle"
        data-testid="attention-toggle"
        data-count={count}
        aria-expanded={open}
        aria-controls="attention-popover"
        title="Agents that need you (a: next, h: mark handled)"
        onClick={() => setOpen(!open)}
      >
        <span className="attention-toggle-icon" aria-hidden="true">
          {count > 0 ? '●' : '○'}
        </span>
        <span role="status">{count > 0 ? `${count} need${count === 1 ? 's' : ''} you` : 'No one waiting'}</span>
      </button>
      {open && (
        <div className="attention-popover" id="attention-popover" role="group" aria-label="Attention queue">
          <div className="attention-popover-head">
            <span>Waiting for input or failed, oldest first</span>
            <button
              type="button"
              disabled={count === 0}
              onClick={() => {
                setOpen(false);
                jumpToNext(services, false);
              }}
            >
              Next <kbd>a</kbd>
            </button>
          </div>
          {count === 0 ? (
            <p className="attention-empty">Nobody is waiting for input or failed, or all of them are marked handled.</p>
          ) : (
            <ol className="attention-list">
              {queue.map((item) => (
                <AttentionRow
                  key={item.agentId}
                  item={item}
                  onOpened={() => setOpen(false)}
                  onHandled={() => toggleRef.current?.focus()}
                />
              ))}
            </ol>
          )}
        </div>
      )}
    </div>
  );
}

interface AttentionRowProps {
  item: AttentionItem;
  onOpened(): void;
  /** The row leaves the list: focus must go somewhere that stays. */
  onHandled(): void;
}

const AttentionRow = memo(function AttentionRow({ item, onOpened, onHandled }: AttentionRowProps) {
  const { attention, layout } = useServices();
  const agent = useBoard((s) => s.agents[item.agentId]);
  const focused = useLayout((s) => s.panes.find((pane) => pane.id === s.focusedPaneId)?.agentId === item.agentId);
  return (
    <li
      className="attention-row"
      data-testid="attention-row"
      data-agent-id={item.agentId}
      data-status={item.status}
      data-focused={focused}
    >
      <span className="attention-row-top">
        <span className="attention-row-id">{item.agentId}</span>
        <span className="attention-row-status" data-status={item.status}>
          <span aria-hidden="true">{ICONS[item.status]}</span> {statusLabel(item.status)}
        </span>
        <ElapsedTime className="attention-row-age" since={item.since} label="for" />
      </span>
      {agent?.projectId || agent?.issueId ? (
        <span className="attention-row-work">
          {[agent.projectId, agent.issueId ? `#${agent.issueId}` : null].filter(Boolean).join(' · ')}
        </span>
      ) : null}
      {agent?.message ? (
        <span className="attention-row-message" title={agent.message}>
          {agent.message}
        </span>
      ) : null}
      <span className="attention-row-actions">
        <button
          type="button"
          onClick={() => {
            onOpened();
            focusPaneSoon(layout.getState().openPane(item.agentId), false);
          }}
        >
          Open
        </button>
        <button
          type="button"
          aria-label={`Mark ${item.agentId} handled`}
          onClick={() => {
            onHandled();
            attention.getState().markHandled(item.agentId);
          }}
        >
          Mark handled
        </button>
      </span>
    </li>
  );
});
