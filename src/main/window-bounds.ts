/** Window placement decisions, without Electron (the glue passes `screen.getAllDisplays()`). */
import type { WindowBounds } from './settings-store';

export type Rect = Omit<WindowBounds, 'maximized'>;

/** How much of a restored window must be on a display to keep its position: enough to grab its title bar. */
const MIN_VISIBLE = { width: 120, height: 48 };

/**
 * Fits saved bounds to the displays connected now. A window whose saved
 * position is no longer on any display (a monitor unplugged, a laptop off its
 * dock) keeps its size but not its position (the OS centres it); a size larger
 * than the largest work area is shrunk to it.
 */
export function fitToDisplays(
  bounds: WindowBounds,
  workAreas: readonly Rect[],
): { x?: number; y?: number; width: number; height: number; maximized: boolean } {
  if (workAreas.length === 0) return bounds;
  const maxWidth = Math.max(...workAreas.map((area) => area.width));
  const maxHeight = Math.max(...workAreas.map((area) => area.height));
  const width = Math.min(bounds.width, maxWidth);
  const height = Math.min(bounds.height, maxHeight);
  const rect = { x: bounds.x, y: bounds.y, width, height };
  const visible = workAreas.some((area) => {
    const w = Math.min(rect.x + rect.width, area.x + area.width) - Math.max(rect.x, area.x);
    const h = Math.min(rect.y + rect.height, area.y + area.height) - Math.max(rect.y, area.y);
    // The top edge (the title bar) must be on this display, not just some pixels of the window.
    const titleOnScreen = rect.y >= area.y && rect.y < area.y + area.height - MIN_VISIBLE.height;
    return w >= MIN_VISIBLE.width && h >= MIN_VISIBLE.height && titleOnScreen;
  });
  return visible ? { ...rect, maximized: bounds.maximized } : { width, height, maximized: bounds.maximized };
}
