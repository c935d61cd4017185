import { type Ref, useState } from 'react';
import type { FilterCount } from '../../terminal/terminal-view';

export interface LineFilterBarProps {
  inputRef: Ref<HTMLInputElement>;
  /** Lines passing the filter, or null before the first count arrives. */
  count: FilterCount | null;
  onChange(term: string): void;
  /** Clears the filter (every line shows again) and closes the bar. */
  onClose(): void;
}

/** Grep mode for a pane: only lines containing the text show; Escape or ✕ clears it and shows every line again. */
export function LineFilterBar({ inputRef, count, onChange, onClose }: LineFilterBarProps) {
  const [term, setTerm] = useState('');
  return (
    <div className="pane-filter" role="search" aria-label="Filter lines">
      <span className="pane-filter-badge" aria-hidden="true">
        Filter
      </span>
      <input
        ref={inputRef}
        type="search"
        className="pane-search-input"
        aria-label="Show only lines containing"
        placeholder="Show only lines containing…"
        value={term}
        autoFocus
        spellCheck={false}
        onChange={(event) => {
          setTerm(event.target.value);
          onChange(event.target.value);
        }}
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          event.preventDefault();
          event.stopPropagation();
          onClose();
        }}
      />
      <span className="pane-filter-count" aria-live="polite">
        {term && count ? `${count.matched} of ${count.total} lines` : 'all lines'}
      </span>
      <button
        type="button"
        aria-label="Clear filter"
        title="Clear the filter: show every line (Escape)"
        onClick={onClose}
      >
        ✕
      </button>
    </div>
  );
}
