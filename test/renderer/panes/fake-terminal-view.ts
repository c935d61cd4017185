import { vi } from 'vitest';
import type {
  MarkerKind,
  RendererKind,
  SearchDirection,
  SearchOptions,
  TerminalViewOptions,
} from '../../../src/renderer/src/terminal/terminal-view';
import { Emitter } from '../../../src/renderer/src/terminal/emitter';

/**
 * Stands in for TerminalView in component tests: xterm needs a real canvas to
 * mount, which happy-dom lacks. Records what the pane asks of its terminal.
 */
export class FakeTerminalView {
  static instances: FakeTerminalView[] = [];

  readonly writes: string[] = [];
  readonly markers: Array<[MarkerKind, string]> = [];
  mountedIn: HTMLElement | null = null;
  disposed = false;
  renderer: RendererKind = 'dom';
  following = true;
  visible = true;
  readonly followChange = new Emitter<boolean>();
  readonly rendererChange = new Emitter<RendererKind>();
  readonly searchResults = new Emitter<{ resultIndex: number; resultCount: number }>();
  readonly onFollowChange = this.followChange.event;
  readonly onRendererChange = this.rendererChange.event;
  readonly onSearchResults = this.searchResults.event;
  readonly find = vi.fn((_term: string, _direction: SearchDirection, _options?: SearchOptions) => true);
  readonly clearSearch = vi.fn();
  readonly clear = vi.fn();
  readonly copy = vi.fn(async () => 'copied text');
  readonly jumpToLive = vi.fn(() => this.setFollowing(true));
  readonly focus = vi.fn();
  readonly setTheme = vi.fn();
  readonly setScrollback = vi.fn();
  readonly setVisible = vi.fn((visible: boolean) => {
    this.visible = visible;
  });

  constructor(readonly options: TerminalViewOptions) {
    FakeTerminalView.instances.push(this);
  }

  mount(element: HTMLElement): void {
    this.mountedIn = element;
  }

  write(text: string): void {
    this.writes.push(text);
  }

  marker(kind: MarkerKind, text: string): void {
    this.markers.push([kind, text]);
  }

  setFollowing(following: boolean): void {
    this.following = following;
    this.followChange.fire(following);
  }

  dispose(): void {
    this.disposed = true;
  }
}
