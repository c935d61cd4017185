import type { LineMatch } from '../terminal/buffer-text';

/** What search across panes needs of a pane's terminal (TerminalView provides it). */
export interface SearchablePane {
  findLines(term: string, limit?: number): { matches: LineMatch[]; total: number };
  reveal(match: LineMatch, length: number): boolean;
}

/** The terminals of the open panes by pane id, for search across all of them (Ctrl/Cmd+Shift+F). */
export class PaneViews {
  private readonly views = new Map<string, SearchablePane>();

  /** Registers a pane's terminal; returns the undo. */
  add(paneId: string, view: SearchablePane): () => void {
    this.views.set(paneId, view);
    return () => {
      if (this.views.get(paneId) === view) this.views.delete(paneId);
    };
  }

  get(paneId: string): SearchablePane | undefined {
    return this.views.get(paneId);
  }
}
