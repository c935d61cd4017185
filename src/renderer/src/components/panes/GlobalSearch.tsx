import './panes.css';
import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import { useLayout, useServices } from '../../services';
import type { LineMatch } from '../../terminal/buffer-text';
import { Dialog } from '../shell/Dialog';

/** Matches listed per pane; the rest are counted. */
const MATCHES_PER_PANE = 50;
/** Characters of a matching line shown around the match. */
const CONTEXT_CHARS = 60;

interface PaneMatches {
  paneId: string;
  agentId: string;
  matches: LineMatch[];
  total: number;
}

/**
 * Search across every open pane's output (Ctrl/Cmd+Shift+F, from anywhere):
 * the matching lines per pane, with their text. Choosing one focuses that
 * pane, scrolls the line into view and selects the match. It searches what
 * each pane holds when the search runs (a filtered pane: the lines it shows);
 * Enter in the box searches again.
 */
export function GlobalSearch() {
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || !event.shiftKey || event.altKey || event.code !== 'KeyF') return;
      event.preventDefault();
      setOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <Dialog title="Search all panes" open={open} onClose={() => setOpen(false)}>
      <GlobalSearchBody onDone={() => setOpen(false)} />
    </Dialog>
  );
}

function GlobalSearchBody({ onDone }: { onDone(): void }) {
  const { layout, output } = useServices();
  const paneViews = output.panes;
  const panes = useLayout((s) => s.panes);
  const [term, setTerm] = useState('');
  const [generation, setGeneration] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);

  const results = useMemo<PaneMatches[]>(() => {
    if (term === '') return [];
    return panes.flatMap((pane) => {
      const view = paneViews.get(pane.id);
      if (!view) return [];
      const { matches, total } = view.findLines(term, MATCHES_PER_PANE);
      return total > 0 ? [{ paneId: pane.id, agentId: pane.agentId, matches, total }] : [];
    });
    // `generation` re-runs the search on Enter: output arrives outside React.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [term, panes, paneViews, generation]);
  const total = results.reduce((sum, pane) => sum + pane.total, 0);

  const choose = (paneId: string, match: LineMatch) => {
    const state = layout.getState();
    if (state.maximizedPaneId !== null && state.maximizedPaneId !== paneId) state.toggleMaximize(state.maximizedPaneId);
    state.focusPane(paneId);
    onDone();
    // Once React has shown the pane (it may be a hidden tab) and the dialog has given focus back.
    requestAnimationFrame(() => {
      paneViews.get(paneId)?.reveal(match, term.length);
      const pane = document.querySelector<HTMLElement>(`[data-pane-id="${paneId.replace(/["\\]/g, '\\$&')}"]`);
      (pane?.querySelector<HTMLElement>('.xterm-helper-textarea') ?? pane)?.focus();
    });
  };

  const moveFocus = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...(listRef.current?.querySelectorAll<HTMLElement>('.global-search-match') ?? [])];
    if (buttons.length === 0) return;
    event.preventDefault();
    const current = buttons.indexOf(document.activeElement as HTMLElement);
    const next =
      event.key === 'ArrowDown' ? Math.min(buttons.length - 1, current + 1) : current <= 0 ? -1 : current - 1;
    if (next < 0) (event.currentTarget.querySelector('input') as HTMLElement | null)?.focus();
    else buttons[next]?.focus();
  };

  return (
    <div className="global-search" onKeyDown={moveFocus}>
      <input
        type="search"
        className="pane-search-input global-search-input"
        aria-label="Search all panes"
        placeholder="Text to find in every open pane"
        value={term}
        autoFocus
        spellCheck={false}
        onChange={(event) => setTerm(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') setGeneration((n) => n + 1);
        }}
      />
      <p className="global-search-summary" aria-live="polite">
        {term === ''
          ? `${panes.length} open ${panes.length === 1 ? 'pane' : 'panes'}`
          : total === 0
            ? 'No matches'
            : `${total} ${total === 1 ? 'line' : 'lines'} in ${results.length} ${results.length === 1 ? 'pane' : 'panes'}`}
      </p>
      <div className="global-search-results" ref={listRef}>
        {results.map((pane) => (
          <section key={pane.paneId} className="global-search-pane" aria-label={`Matches in ${pane.agentId}`}>
            <h3>
              {pane.agentId}{' '}
              <span className="global-search-count">
                {pane.total > pane.matches.length ? `first ${pane.matches.length} of ${pane.total}` : pane.total}
              </span>
            </h3>
            <ul>
              {pane.matches.map((match) => (
                <li key={`${match.row}:${match.column}`}>
                  <button
                    type="button"
                    className="global-search-match"
                    data-agent-id={pane.agentId}
                    onClick={() => choose(pane.paneId, match)}
                  >
                    <Excerpt match={match} length={term.length} />
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </div>
  );
}

/** The line around the match, the match marked. */
function Excerpt({ match, length }: { match: LineMatch; length: number }) {
  const from = Math.max(0, match.column - CONTEXT_CHARS);
  const to = Math.min(match.text.length, match.column + length + CONTEXT_CHARS);
  return (
    <>
      {from > 0 ? '…' : ''}
      {match.text.slice(from, match.column)}
      <mark>{match.text.slice(match.column, match.column + length)}</mark>
      {match.text.slice(match.column + length, to)}
      {to < match.text.length ? '…' : ''}
    </>
  );
}
