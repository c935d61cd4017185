import { describe, expect, it } from 'vitest';
import { BOARD_RATIO, clampBoardRatio, createLayoutStore } from '../../../src/renderer/src/stores/layout-store';
import { memoryStorage } from '../../../src/renderer/src/stores/memory-storage';

describe('layout store: the board/panes split', () => {
  it('starts at the default ratio with the board shown', () => {
    const layout = createLayoutStore(memoryStorage());
    expect(layout.getState()).toMatchObject({ boardRatio: BOARD_RATIO.initial, boardCollapsed: false });
  });

  it('moves the splitter within bounds and resets it', () => {
    const layout = createLayoutStore(memoryStorage());
    layout.getState().setBoardRatio(0.6);
    expect(layout.getState().boardRatio).toBe(0.6);
    layout.getState().setBoardRatio(2);
    expect(layout.getState().boardRatio).toBe(BOARD_RATIO.max);
    layout.getState().setBoardRatio(-1);
    expect(layout.getState().boardRatio).toBe(BOARD_RATIO.min);
    layout.getState().setBoardRatio(Number.NaN);
    expect(layout.getState().boardRatio).toBe(BOARD_RATIO.initial);
    layout.getState().setBoardRatio(0.7);
    layout.getState().resetBoardRatio();
    expect(layout.getState().boardRatio).toBe(BOARD_RATIO.initial);
  });

  it('collapses and expands the board', () => {
    const layout = createLayoutStore(memoryStorage());
    layout.getState().toggleBoard();
    expect(layout.getState().boardCollapsed).toBe(true);
    layout.getState().toggleBoard();
    expect(layout.getState().boardCollapsed).toBe(false);
    layout.getState().setBoardCollapsed(true);
    expect(layout.getState().boardCollapsed).toBe(true);
  });

  it('remembers the ratio, the collapsed board and the mode, but not a maximised pane', () => {
    const storage = memoryStorage();
    const first = createLayoutStore(storage);
    const pane = first.getState().openPane('opus-1');
    first.getState().setBoardRatio(0.3);
    first.getState().toggleBoard();
    first.getState().setMode('tabs');
    first.getState().toggleMaximize(pane);
    const second = createLayoutStore(storage);
    expect(second.getState()).toMatchObject({
      boardRatio: 0.3,
      boardCollapsed: true,
      mode: 'tabs',
      maximizedPaneId: null,
    });
  });

  it('repairs a stored ratio that is out of bounds or not a number, and reads a version 1 record without one', () => {
    const storage = memoryStorage();
    storage.setItem('falcon.layout', JSON.stringify({ state: { boardRatio: 7, boardCollapsed: 'yes' }, version: 1 }));
    expect(createLayoutStore(storage).getState()).toMatchObject({ boardRatio: BOARD_RATIO.max, boardCollapsed: false });
    storage.setItem('falcon.layout', JSON.stringify({ state: { boardRatio: 'wide' }, version: 1 }));
    expect(createLayoutStore(storage).getState().boardRatio).toBe(BOARD_RATIO.initial);
    storage.setItem('falcon.layout', JSON.stringify({ state: { projectId: 'web', mode: 'tabs' }, version: 1 }));
    expect(createLayoutStore(storage).getState()).toMatchObject({
      projectId: 'web',
      mode: 'tabs',
      boardRatio: BOARD_RATIO.initial,
      boardCollapsed: false,
    });
  });

  it('clamps ratios', () => {
    expect(clampBoardRatio(0.5)).toBe(0.5);
    expect(clampBoardRatio(Infinity)).toBe(BOARD_RATIO.initial);
    expect(clampBoardRatio(0)).toBe(BOARD_RATIO.min);
  });
});

describe('layout store: a maximised pane follows focus', () => {
  it('shows the pane focused or opened next instead, and keeps the layout when none is maximised', () => {
    const layout = createLayoutStore(memoryStorage());
    const a = layout.getState().openPane('a');
    const b = layout.getState().openPane('b');
    layout.getState().focusPane(a);
    expect(layout.getState().maximizedPaneId).toBeNull();
    layout.getState().toggleMaximize(a);
    layout.getState().focusPaneAt(1);
    expect(layout.getState()).toMatchObject({ focusedPaneId: b, maximizedPaneId: b });
    const c = layout.getState().openPane('c');
    expect(layout.getState()).toMatchObject({ focusedPaneId: c, maximizedPaneId: c });
    layout.getState().openPane('a');
    expect(layout.getState()).toMatchObject({ focusedPaneId: a, maximizedPaneId: a });
    layout.getState().focusPane(null);
    expect(layout.getState().maximizedPaneId).toBe(a);
  });
});
