import { FitAddon } from '@xterm/addon-fit';
import { type ISearchOptions, type ISearchResultChangeEvent, SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import type { WebglAddon } from '@xterm/addon-webgl';
import { type IMarker, Terminal } from '@xterm/xterm';
import type { OutputSink } from '../lib/output-router';
import { type LineMatch, bufferText, matchingLines } from './buffer-text';
import { DisposableStore, toDisposable } from './disposable-store';
import { Emitter } from './emitter';
import { type FrameBudget, type PaneLane, sharedFrameBudget } from './frame-budget';
import {
  type LineModes,
  PLAIN_MODES,
  TimestampStamper,
  isPlain,
  lineAsText,
  matchesFilter,
  renderLine,
  timestampPrefix,
} from './line-format';
import { type LoggedLine, LineLog } from './line-log';
import { endsAtLineStart, type MarkerKind, markerLine } from './marker-line';
import { isOpenableUrl } from './openable-url';
import { readOnlyKeyHandler } from './read-only-keys';
import { SEARCH_DECORATIONS, TERMINAL_THEMES, type TerminalTheme } from './terminal-theme';
import { webglSupport } from './webgl-support';
import { WriteQueue } from './write-queue';

export type { MarkerKind } from './marker-line';
export type { LineModes } from './line-format';
export type { LineMatch } from './buffer-text';
export type { TerminalTheme } from './terminal-theme';
export type RendererKind = 'webgl' | 'dom';
export type SearchDirection = 'next' | 'previous';

export interface SearchOptions {
  caseSensitive?: boolean;
  regex?: boolean;
  /** Extend the current match while the user types instead of moving on (forward search only). */
  incremental?: boolean;
}

export interface TerminalViewOptions {
  /** Lines kept above the viewport (10 000 lines cost ~30–40 MB per 80-column terminal). */
  scrollback: number;
  theme: TerminalTheme;
  /** Called with links the user activates, only after `isOpenableUrl` accepted them. */
  openLink(url: string): void;
  /** 'auto' (default): WebGL on a hardware GPU, else DOM; 'dom': never WebGL; 'webgl': whenever it loads. */
  renderer?: 'auto' | RendererKind;
  fontSize?: number;
  fontFamily?: string;
  /** Flow-control limits; see WriteQueue for the defaults and why. */
  maxChunkChars?: number;
  maxInFlight?: number;
  maxPendingChars?: number;
  /** The budget this pane's writes share with the other panes; default the page's one (sharedFrameBudget). */
  frameBudget?: FrameBudget;
}

/** Columns of a terminal that does not wrap (wrap off): lines up to this long stay on one row. */
export const UNWRAPPED_COLS = 250;
/** Lines the line record keeps beyond the scrollback: about a screenful, which xterm keeps too. */
const LOG_SLACK = 200;

export interface FilterCount {
  /** Lines that contain the filter text. */
  matched: number;
  /** Lines the pane holds. */
  total: number;
}

const FONT_FAMILY = 'ui-monospace, SFMono-Regular, "Cascadia Mono", Menlo, Consolas, "Liberation Mono", monospace';

/**
 * One agent's output in one xterm terminal — an OutputSink the OutputRouter
 * writes to directly, outside React. Read-only: stdin is off, Ctrl/Cmd
 * shortcuts pass through to the app, and the navigation keys scroll.
 *
 * Writes go through a WriteQueue (≤ 64 KiB chunks, ≤ 2 in flight, acknowledged
 * by xterm's write callback), so a flood never parks megabytes inside xterm,
 * and the queue writes through the page's FrameBudget, which all panes share:
 * the focused pane is written first every frame, unfocused panes take turns
 * in larger slices, and parsing stops for the frame once its budget is spent.
 *
 * Hidden panes are not written at all: their output waits in the queue
 * (bounded by `maxPendingChars`; past it the oldest queued text is dropped and
 * a notice line stands in its place) and is written once the pane is shown,
 * which also refits the terminal to its container. The same holds for every
 * pane while the page itself is hidden.
 */
export class TerminalView implements OutputSink {
  private readonly store = new DisposableStore();
  private readonly terminal: Terminal;
  private readonly fitAddon = new FitAddon();
  private readonly searchAddon = new SearchAddon({ highlightLimit: 1000 });
  /** Case and regex options of the last search (see `find`). */
  private lastSearchOptions = '';
  private readonly queue: WriteQueue;
  private readonly lane: PaneLane;
  /** Decodes UTF-8 written as bytes; streaming, so a character split across two writes survives. */
  private decoder: TextDecoder | undefined;
  private readonly markers: Record<MarkerKind, Set<IMarker>> = {
    live: new Set(),
    gap: new Set(),
    resync: new Set(),
    answer: new Set(),
  };
  private readonly _onFollowChange = new Emitter<boolean>();
  private readonly _onRendererChange = new Emitter<RendererKind>();
  private readonly _onSearchResults = new Emitter<ISearchResultChangeEvent>();
  private readonly _onUnseenLines = new Emitter<number>();
  private readonly _onFilterCount = new Emitter<FilterCount>();
  /** The output as lines with their arrival times, bounded like the scrollback (see LineLog). */
  private readonly log: LineLog;
  private readonly stamper = new TimestampStamper();
  private modes: LineModes = PLAIN_MODES;
  private wrap = true;
  private filterCount: FilterCount = { matched: 0, total: 0 };
  /** Lines written while the user was scrolled up. */
  private unseen = 0;
  private countsFrame = 0;
  /** A match to show once the pane is visible and fitted (see `reveal`). */
  private pendingReveal: { match: LineMatch; length: number } | undefined;
  private theme: TerminalTheme;
  private webgl: WebglAddon | undefined;
  private element: HTMLElement | undefined;
  private fitFrame = 0;
  private resizing = false;
  /** Viewport line when hidden, restored on showing if the user had scrolled away from the bottom. */
  private hiddenAt: number | undefined;
  private atLineStart = true;
  private _following = true;
  private _visible = true;
  private _renderer: RendererKind = 'dom';

  /** Fires with `following` when follow mode pauses (user scrolled up) or resumes. */
  readonly onFollowChange = this._onFollowChange.event;
  /** Fires when the renderer changes (WebGL loaded, or lost its context and fell back to DOM). */
  readonly onRendererChange = this._onRendererChange.event;
  /** Fires when search results change: `resultIndex` is -1 past the highlight limit. */
  readonly onSearchResults = this._onSearchResults.event;
  /** Fires (at most once a frame) with the lines written since the user scrolled up; 0 once following again. */
  readonly onUnseenLines = this._onUnseenLines.event;
  /** Fires (at most once a frame) with how many lines pass the filter, while one is set. */
  readonly onFilterCount = this._onFilterCount.event;

  constructor(private readonly options: TerminalViewOptions) {
    assertScrollback(options.scrollback);
    if (typeof options.openLink !== 'function') throw new TypeError('openLink must be a function');
    this.theme = options.theme;
    this.log = new LineLog(options.scrollback + LOG_SLACK, (line) => this.forget(line));
    const openIfAllowed = (url: string) => {
      if (isOpenableUrl(url)) options.openLink(url);
    };

    this.terminal = this.store.add(
      new Terminal({
        scrollback: options.scrollback,
        theme: TERMINAL_THEMES[options.theme],
        fontFamily: options.fontFamily ?? FONT_FAMILY,
        fontSize: options.fontSize ?? 13,
        // Search highlights are decorations, which xterm still files under its proposed API.
        allowProposedApi: true,
        disableStdin: true,
        // Agent output may come from pipes (bare LF) as well as ptys (CRLF).
        convertEol: true,
        cursorBlink: false,
        cursorStyle: 'bar',
        cursorInactiveStyle: 'none',
        overviewRuler: { width: 8 },
        // OSC 8 hyperlinks: their text can differ from their target, so hovering shows the target.
        linkHandler: {
          allowNonHttpProtocols: false,
          activate: (_event, url) => openIfAllowed(url),
          hover: (_event, url) => this.element?.setAttribute('title', url),
          leave: () => this.element?.removeAttribute('title'),
        },
      }),
    );
    this.store.add(this._onFollowChange);
    this.store.add(this._onRendererChange);
    this.store.add(this._onSearchResults);
    this.store.add(this._onUnseenLines);
    this.store.add(this._onFilterCount);
    this.store.add(toDisposable(() => cancelAnimationFrame(this.countsFrame)));

    this.lane = (options.frameBudget ?? sharedFrameBudget()).add((chunk, done) => this.terminal.write(chunk, done));
    this.store.add(toDisposable(() => this.lane.dispose()));
    this.queue = new WriteQueue(this.lane.write, {
      maxChunk: options.maxChunkChars,
      maxInFlight: options.maxInFlight,
      maxPending: options.maxPendingChars,
      describeDrop: (chars) =>
        `\r\n${markerLine('dropped', `${formatSize(chars)} of output skipped: this pane could not keep up`, this.terminal.cols)}`,
    });
    this.store.add(toDisposable(() => this.queue.dispose()));

    this.terminal.loadAddon(this.fitAddon);
    this.terminal.loadAddon(this.searchAddon);
    this.terminal.loadAddon(new WebLinksAddon((_event, url) => openIfAllowed(url)));
    this.store.add(this.searchAddon.onDidChangeResults((results) => this._onSearchResults.fire(results)));
    this.store.add(this.terminal.onScroll(() => this.updateFollow()));
    this.store.add(this.terminal.onWriteParsed(() => this.updateFollow()));
    this.store.add(
      this.terminal.onLineFeed(() => {
        if (this._following) return;
        this.unseen++;
        this.scheduleCounts();
      }),
    );
    this.terminal.attachCustomKeyEventHandler(readOnlyKeyHandler(this.terminal, () => this.jumpToLive()));
  }

  /** 'webgl' while the WebGL renderer draws, else 'dom'. */
  get renderer(): RendererKind {
    return this._renderer;
  }

  /** Whether new output scrolls into view (the viewport is at the bottom). */
  get following(): boolean {
    return this._following;
  }

  get visible(): boolean {
    return this._visible;
  }

  get cols(): number {
    return this.terminal.cols;
  }

  get rows(): number {
    return this.terminal.rows;
  }

  /** Opens the terminal in `element` (once) and keeps it fitted to the element's size. */
  mount(element: HTMLElement): void {
    if (this.store.isDisposed) throw new Error('TerminalView is disposed');
    if (this.element) throw new Error('TerminalView is already mounted');
    this.element = element;
    this.terminal.open(element);
    this.loadRenderer();
    if (typeof ResizeObserver !== 'undefined') {
      const observer = new ResizeObserver(() => this.scheduleFit());
      observer.observe(element);
      this.store.add(toDisposable(() => observer.disconnect()));
    }
    this.store.add(toDisposable(() => cancelAnimationFrame(this.fitFrame)));
    this.scheduleFit();
  }

  /**
   * Queues terminal output; it reaches xterm in order, under flow control.
   * Bytes are UTF-8 (a character may be split across writes); a string after
   * bytes ends any character they left unfinished. `history` marks text
   * replayed from the hub (it carries no arrival time).
   */
  write(data: string | Uint8Array, history = false): void {
    if (this.store.isDisposed || data.length === 0) return;
    const text = this.decode(data);
    if (text.length === 0) return;
    const time = history ? null : Date.now();
    const completed = this.log.append(text, time);
    if (isPlain(this.modes)) {
      this.queue.push(text);
      this.atLineStart = endsAtLineStart(text);
    } else if (this.modes.filter) {
      // Only whole lines can be matched: a line shows once it is complete.
      let shown = '';
      for (const line of completed) {
        this.filterCount.total++;
        if (!matchesFilter(line, this.modes.filter)) continue;
        this.filterCount.matched++;
        shown += renderLine(line, this.modes, this.terminal.cols);
      }
      if (shown) this.queue.push(shown);
      if (completed.length > 0) this.scheduleCounts();
    } else {
      this.queue.push(this.stamper.stamp(text, time));
      this.atLineStart = endsAtLineStart(text);
    }
  }

  /** Bytes decoded once here: the line record, filters and timestamps all work on text. */
  private decode(data: string | Uint8Array): string {
    if (typeof data !== 'string') {
      this.decoder ??= new TextDecoder();
      return this.decoder.decode(data, { stream: true });
    }
    if (!this.decoder) return data;
    // Bytes left mid-character end as U+FFFD, as xterm shows a broken sequence.
    const rest = this.decoder.decode();
    this.decoder = undefined;
    return rest + data;
  }

  /** Writes a full-width marker line on a line of its own, and registers an xterm marker on it. */
  marker(kind: MarkerKind, text: string): void {
    if (this.store.isDisposed) return;
    const line = this.log.addMarker(kind, text, Date.now());
    if (!this.atLineStart) this.queue.push('\r\n');
    this.queue.pushAction(() => this.registerMarker(kind));
    this.queue.push(
      isPlain(this.modes)
        ? markerLine(kind, text, this.terminal.cols)
        : renderLine(line, this.modes, this.terminal.cols),
    );
    this.atLineStart = true;
    this.stamper.reset(true);
  }

  /** How the pane shows its output: as it came, or as lines with timestamps and/or filtered. */
  get lineModes(): LineModes {
    return this.modes;
  }

  /**
   * Shows the output with or without arrival times and only the lines that
   * contain `filter` (case-insensitive; '' shows all). The terminal is redrawn
   * from the line record, so turning both off again shows the output as it came.
   */
  setLineModes(modes: Partial<LineModes>): void {
    const next = { ...this.modes, ...modes };
    if (next.timestamps === this.modes.timestamps && next.filter === this.modes.filter) return;
    this.modes = next;
    this.redraw();
  }

  /** Whether long lines wrap (the default) or the terminal is UNWRAPPED_COLS wide and scrolls sideways. */
  get wraps(): boolean {
    return this.wrap;
  }

  setWrap(wrap: boolean): void {
    if (wrap === this.wrap) return;
    this.wrap = wrap;
    this.scheduleFit();
  }

  /** Lines written since the user scrolled up (0 while following). */
  get unseenLines(): number {
    return this.unseen;
  }

  /**
   * All the output the pane holds, as plain text for a file: the buffer as
   * shown (with timestamps when they are on); while a filter hides lines, every
   * line the pane recorded instead, so saving never loses what the filter hides.
   */
  savedText(): string {
    if (!this.modes.filter) return this.textContent();
    const lines = this.log.all().map((line) => lineAsText(line, this.modes.timestamps));
    const current = this.log.current;
    if (current) lines.push(lineAsText(current, this.modes.timestamps));
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  /** Lines of the buffer containing `term` (case-insensitive), at most `limit`. */
  findLines(term: string, limit = 50): { matches: LineMatch[]; total: number } {
    return matchingLines(this.terminal.buffer.active, term, limit);
  }

  /**
   * Scrolls a match from `findLines` into view and selects it. The buffer may
   * have moved since (new output, trimmed scrollback): the line with the same
   * text nearest the row it was on is taken. A hidden pane does it once shown.
   */
  reveal(match: LineMatch, length: number): boolean {
    if (!this.element) return false;
    if (!this._visible || this.fitFrame !== 0) {
      this.pendingReveal = { match, length };
      return true;
    }
    const found = this.findLines(match.text.slice(match.column, match.column + length), Infinity).matches.filter(
      (candidate) => candidate.text === match.text,
    );
    if (found.length === 0) return false;
    const best = found.reduce((a, b) => (Math.abs(b.row - match.row) < Math.abs(a.row - match.row) ? b : a));
    const cols = this.terminal.cols;
    const row = best.row + Math.floor(best.column / cols);
    this.terminal.scrollToLine(Math.max(0, row - Math.floor(this.terminal.rows / 2)));
    this.terminal.select(best.column % cols, row, length);
    this.updateFollow();
    return true;
  }

  /** Markers of `kind` still in the buffer (clearing or trimming scrollback removes them). */
  markerCount(kind: MarkerKind): number {
    return this.markers[kind].size;
  }

  /** Resolves once everything written so far has been parsed by xterm. */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  /** Code units waiting in front of xterm. */
  get pendingChars(): number {
    return this.queue.pendingChars;
  }

  /**
   * Hidden panes buffer their output (see the class comment); showing one
   * writes it and refits the pane, since its container may have changed size
   * while it was hidden. Call it as the element is hidden or shown (a layout
   * effect): hiding an element resets its scroll position, which must not read
   * as the user scrolling away.
   */
  setVisible(visible: boolean): void {
    if (visible === this._visible) return;
    this._visible = visible;
    if (visible) this.scheduleFit();
    else this.hiddenAt = this.terminal.buffer.active.viewportY;
    this.lane.setVisible(visible);
  }

  /** The pane the user works in (the layout's focused pane): its output is written first every frame. */
  setFocused(focused: boolean): void {
    this.lane.setFocused(focused);
  }

  /** Resizes the terminal to its container, keeping the bottom in view while following. */
  fit(): void {
    const element = this.element;
    // A hidden (display: none) or collapsed container measures 0: fitting to it would wreck the layout.
    if (!element || !this._visible || element.clientWidth === 0 || element.clientHeight === 0) return;
    const following = this._following;
    // A resize moves the viewport on its own (rows pushed into or pulled from the
    // scrollback): that is not the user scrolling away, so follow state is kept.
    this.resizing = true;
    try {
      const size = this.wrap ? undefined : this.fitAddon.proposeDimensions();
      if (size && Number.isFinite(size.rows)) this.terminal.resize(Math.max(UNWRAPPED_COLS, size.cols), size.rows);
      else this.fitAddon.fit();
    } catch {
      // Measuring fails while fonts or the renderer are not ready; the next resize retries.
    } finally {
      this.resizing = false;
    }
    if (following) this.terminal.scrollToBottom();
    else if (this.hiddenAt !== undefined) this.terminal.scrollToLine(this.hiddenAt);
    this.hiddenAt = undefined;
    this.updateFollow();
    const reveal = this.pendingReveal;
    this.pendingReveal = undefined;
    if (reveal) this.reveal(reveal.match, reveal.length);
  }

  /** Scrolls to the newest output and resumes following it. */
  jumpToLive(): void {
    this.terminal.scrollToBottom();
    this.updateFollow();
  }

  /** Clears everything received so far (once it has been parsed), keeping the cursor's line. */
  clear(): void {
    this.log.clear();
    this.filterCount = { matched: 0, total: 0 };
    if (this.modes.filter) this.scheduleCounts();
    this.queue.pushAction(() => {
      this.searchAddon.clearDecorations();
      this.terminal.clear();
      this.updateFollow();
    });
  }

  /**
   * Copies the selection, or the whole buffer when nothing is selected, with
   * `write` (the bridge's clipboard: main's in the desktop app, where the page
   * has no clipboard permission); resolves with the text copied.
   */
  async copy(write: (text: string) => Promise<void>): Promise<string> {
    const text = this.terminal.hasSelection() ? this.terminal.getSelection() : this.textContent();
    await write(text);
    return text;
  }

  /** Plain text of the buffer (parsed output only: see `whenIdle`); the last `lastLines` lines when given. */
  textContent(lastLines?: number): string {
    return bufferText(this.terminal.buffer.active, lastLines);
  }

  /** Finds the next or previous match and highlights all matches; false when there is none (or the regex is invalid). */
  find(term: string, direction: SearchDirection, options: SearchOptions = {}): boolean {
    if (term.length === 0) {
      this.clearSearch();
      return false;
    }
    // The search addon selects its match, which needs an opened terminal.
    if (!this.element) return false;
    const searchOptions: ISearchOptions = {
      caseSensitive: options.caseSensitive ?? false,
      regex: options.regex ?? false,
      incremental: direction === 'next' && (options.incremental ?? false),
      decorations: SEARCH_DECORATIONS[this.theme],
    };
    // @xterm/addon-search 0.16 stores new options before comparing them with the last search's, so a
    // changed case or regex option alone would keep the old highlights and count: start that search over.
    const optionsKey = `${searchOptions.caseSensitive}:${searchOptions.regex}`;
    if (optionsKey !== this.lastSearchOptions) {
      this.searchAddon.clearDecorations();
      this.lastSearchOptions = optionsKey;
    }
    try {
      return direction === 'next'
        ? this.searchAddon.findNext(term, searchOptions)
        : this.searchAddon.findPrevious(term, searchOptions);
    } catch {
      // An invalid regular expression (the user may be halfway through typing it).
      return false;
    }
  }

  clearSearch(): void {
    this.lastSearchOptions = '';
    this.searchAddon.clearDecorations();
    this.terminal.clearSelection();
  }

  setTheme(theme: TerminalTheme): void {
    if (theme === this.theme) return;
    this.theme = theme;
    this.terminal.options.theme = TERMINAL_THEMES[theme];
  }

  setScrollback(lines: number): void {
    assertScrollback(lines);
    this.terminal.options.scrollback = lines;
    this.log.setMaxLines(lines + LOG_SLACK);
  }

  focus(): void {
    this.terminal.focus();
  }

  /** Disposes the terminal, its addons, observers and listeners; safe to call twice. */
  dispose(): void {
    this.store.dispose();
  }

  private registerMarker(kind: MarkerKind): void {
    // Undefined in the alternate screen (a full-screen program), which has no scrollback to mark.
    const marker = this.terminal.registerMarker(0) as IMarker | undefined;
    if (!marker) return;
    const set = this.markers[kind];
    set.add(marker);
    marker.onDispose(() => set.delete(marker));
  }

  private updateFollow(): void {
    // Hidden, or shown or resized and not yet refitted: the viewport moves by itself then.
    if (this.resizing || !this._visible || this.fitFrame !== 0) return;
    const buffer = this.terminal.buffer.active;
    this.setFollowing(buffer.viewportY >= buffer.baseY);
  }

  private setFollowing(following: boolean): void {
    if (following === this._following) return;
    this._following = following;
    if (following && this.unseen > 0) {
      this.unseen = 0;
      this.scheduleCounts();
    }
    this._onFollowChange.fire(following);
  }

  /** Fires the unseen-lines and filter counts once per frame: a flood must not re-render the pane per write. */
  private scheduleCounts(): void {
    if (this.countsFrame !== 0 || this.store.isDisposed) return;
    this.countsFrame = requestAnimationFrame(() => {
      this.countsFrame = 0;
      this._onUnseenLines.fire(this.unseen);
      if (this.modes.filter) this._onFilterCount.fire({ ...this.filterCount });
    });
  }

  /** A line dropped off the front of the record (scrollback full): the filter count forgets it too. */
  private forget(line: LoggedLine): void {
    if (line.marker || !this.modes.filter) return;
    this.filterCount.total--;
    if (matchesFilter(line, this.modes.filter)) this.filterCount.matched--;
  }

  /**
   * Draws the output again from the line record in the current modes. Text
   * queued and not yet written is dropped first: the record holds it too.
   */
  private redraw(): void {
    const modes = this.modes;
    const cols = this.terminal.cols;
    this.queue.discardPending();
    this.queue.pushAction(() => {
      this.searchAddon.clearDecorations();
      // reset() leaves markers registered on the old buffer: the redraw registers its own.
      for (const set of Object.values(this.markers)) for (const marker of [...set]) marker.dispose();
      this.terminal.reset();
      this.unseen = 0;
      this.setFollowing(true);
      this.scheduleCounts();
    });
    this.filterCount = { matched: 0, total: 0 };
    let text = '';
    const flush = () => {
      if (text) this.queue.push(text);
      text = '';
    };
    for (const line of this.log.all()) {
      if (line.marker) {
        flush();
        const kind = line.marker;
        if (kind !== 'dropped') this.queue.pushAction(() => this.registerMarker(kind));
        text += isPlain(modes) ? markerLine(kind, line.text, cols) : renderLine(line, modes, cols);
        continue;
      }
      this.filterCount.total++;
      if (isPlain(modes)) text += `${line.text}\r\n`;
      else if (matchesFilter(line, modes.filter)) {
        this.filterCount.matched++;
        text += renderLine(line, modes, cols);
      }
    }
    const current = this.log.current;
    this.atLineStart = true;
    this.stamper.reset(true);
    if (current && !modes.filter) {
      text += modes.timestamps ? `${timestampPrefix(current.time)}${current.text}` : current.text;
      this.atLineStart = false;
      this.stamper.reset(false);
    }
    flush();
  }

  private scheduleFit(): void {
    if (this.fitFrame !== 0 || this.store.isDisposed) return;
    this.fitFrame = requestAnimationFrame(() => {
      this.fitFrame = 0;
      this.fit();
    });
  }

  /**
   * The WebGL addon is its own chunk, fetched only when a pane will use it
   * (most machines without a GPU never do); the pane draws with the DOM
   * renderer until it has arrived, and keeps that one if it cannot load.
   */
  private loadRenderer(): void {
    const mode = this.options.renderer ?? 'auto';
    if (mode === 'dom' || (mode === 'auto' && webglSupport() !== 'hardware')) return;
    void import('@xterm/addon-webgl').then(
      ({ WebglAddon }) => this.useWebgl(WebglAddon),
      // The chunk could not be fetched (the hub went away mid-start): the DOM renderer stays.
      () => undefined,
    );
  }

  private useWebgl(Addon: typeof WebglAddon): void {
    if (this.store.isDisposed) return;
    let addon: WebglAddon | undefined;
    try {
      addon = new Addon();
      addon.onContextLoss(() => this.dropWebgl());
      this.terminal.loadAddon(addon);
    } catch {
      // No WebGL 2 here (or the context could not be created): xterm keeps its DOM renderer.
      addon?.dispose();
      return;
    }
    this.webgl = addon;
    this.store.add(toDisposable(() => this.webgl?.dispose()));
    this.setRenderer('webgl');
  }

  /** After a context loss (GPU reset, too many contexts), disposing the addon puts the DOM renderer back. */
  private dropWebgl(): void {
    const addon = this.webgl;
    this.webgl = undefined;
    addon?.dispose();
    this.setRenderer('dom');
  }

  private setRenderer(renderer: RendererKind): void {
    if (renderer === this._renderer) return;
    this._renderer = renderer;
    this._onRendererChange.fire(renderer);
  }
}

function assertScrollback(lines: number): void {
  if (!Number.isInteger(lines) || lines < 0) throw new RangeError('scrollback must be a non-negative integer');
}

function formatSize(chars: number): string {
  if (chars >= 1024 * 1024) return `${(chars / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(chars / 1024))} KB`;
}
