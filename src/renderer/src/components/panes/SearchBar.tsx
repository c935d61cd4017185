import { type KeyboardEvent, type Ref, useState } from 'react';
import type { SearchDirection, SearchOptions } from '../../terminal/terminal-view';

export interface SearchResults {
  resultIndex: number;
  resultCount: number;
}

export interface SearchBarProps {
  inputRef: Ref<HTMLInputElement>;
  /** Latest results from the terminal, or null before the first search. */
  results: SearchResults | null;
  onFind(term: string, direction: SearchDirection, options: SearchOptions): boolean;
  onClose(): void;
}

/** Find in a pane's output: Enter = next, Shift+Enter = previous, Escape closes. */
export function SearchBar({ inputRef, results, onFind, onClose }: SearchBarProps) {
  const [term, setTerm] = useState('');
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [regex, setRegex] = useState(false);
  const [found, setFound] = useState<boolean | null>(null);

  const find = (direction: SearchDirection, options: SearchOptions & { term?: string } = {}) => {
    const query = options.term ?? term;
    setFound(query ? onFind(query, direction, { caseSensitive, regex, ...options }) : null);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      find(event.shiftKey ? 'previous' : 'next');
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    }
  };

  return (
    <div className="pane-search" role="search">
      <input
        ref={inputRef}
        type="search"
        className="pane-search-input"
        aria-label="Search output"
        placeholder="Search output"
        value={term}
        autoFocus
        spellCheck={false}
        aria-invalid={found === false}
        onChange={(event) => {
          const next = event.target.value;
          setTerm(next);
          find('next', { term: next, incremental: true });
        }}
        onKeyDown={onKeyDown}
      />
      <span className="pane-search-count" aria-live="polite">
        {describeResults(term, found, results)}
      </span>
      <button
        type="button"
        className="pane-search-option"
        aria-label="Match case"
        aria-pressed={caseSensitive}
        title="Match case"
        onClick={() => {
          setCaseSensitive(!caseSensitive);
          if (term) setFound(onFind(term, 'next', { caseSensitive: !caseSensitive, regex, incremental: true }));
        }}
      >
        Aa
      </button>
      <button
        type="button"
        className="pane-search-option"
        aria-label="Use regular expression"
        aria-pressed={regex}
        title="Use regular expression"
        onClick={() => {
          setRegex(!regex);
          if (term) setFound(onFind(term, 'next', { caseSensitive, regex: !regex, incremental: true }));
        }}
      >
        .*
      </button>
      <button
        type="button"
        aria-label="Previous match"
        title="Previous match (Shift+Enter)"
        onClick={() => find('previous')}
      >
        ▲
      </button>
      <button type="button" aria-label="Next match" title="Next match (Enter)" onClick={() => find('next')}>
        ▼
      </button>
      <button type="button" aria-label="Close search" title="Close search (Escape)" onClick={onClose}>
        ✕
      </button>
    </div>
  );
}

function describeResults(term: string, found: boolean | null, results: SearchResults | null): string {
  if (!term || found === null) return '';
  if (!found) return 'No matches';
  if (!results) return '';
  if (results.resultIndex < 0) return `${results.resultCount}+ matches`;
  return `${results.resultIndex + 1} of ${results.resultCount}`;
}
