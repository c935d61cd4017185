import { type RefObject, useEffect, useEffectEvent } from 'react';
import { isTypingTarget } from './typing';

/** The group the board's cards and the agent list share: `j` past the last card reaches the first agent. */
export const BOARD_NAV_GROUP = 'board';

export interface ListNavigationOptions {
  /** Enter on an item itself (not on a control inside it). */
  onActivate?: (item: HTMLElement) => void;
  /** Lists with the same group move as one list, in document order. */
  group?: string;
}

const groups = new Map<string, Set<HTMLElement>>();

function joinGroup(name: string, container: HTMLElement): () => void {
  let members = groups.get(name);
  if (!members) groups.set(name, (members = new Set()));
  members.add(container);
  return () => {
    members.delete(container);
    if (members.size === 0) groups.delete(name);
  };
}

/**
 * `j` / `k` move focus to the next / previous `[data-nav-item]` inside the
 * container (or its group); Enter on an item calls `onActivate`. Keys typed
 * into text fields, with modifiers, or already handled are ignored. With
 * nothing focused, `j` / `k` start at the first / last item.
 */
export function useListNavigation(
  containerRef: RefObject<HTMLElement | null>,
  { onActivate, group }: ListNavigationOptions = {},
): void {
  const activate = useEffectEvent((item: HTMLElement) => onActivate?.(item));
  const canActivate = onActivate !== undefined;

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const doc = container.ownerDocument;
    const leave = group ? joinGroup(group, container) : null;
    const scope = (): HTMLElement[] => (group ? [...(groups.get(group) ?? [])] : [container]);

    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target;
      if (isTypingTarget(target)) return;
      const nowhere = target === doc.body || target === doc.documentElement || target === doc;
      if (!nowhere && !(target instanceof Node && container.contains(target))) return;

      if (event.key === 'j' || event.key === 'k') {
        const roots = scope();
        const items = [...doc.querySelectorAll<HTMLElement>('[data-nav-item]')].filter((item) =>
          roots.some((root) => root.contains(item)),
        );
        if (items.length === 0) return;
        const current = nowhere ? -1 : items.findIndex((item) => item.contains(target as Node));
        const step = event.key === 'j' ? 1 : -1;
        const next =
          current < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, current + step));
        event.preventDefault();
        items[next].focus();
      } else if (event.key === 'Enter' && canActivate && target instanceof HTMLElement) {
        if (!target.hasAttribute('data-nav-item') || !container.contains(target)) return;
        event.preventDefault();
        activate(target);
      }
    };
    doc.addEventListener('keydown', onKeyDown);
    return () => {
      doc.removeEventListener('keydown', onKeyDown);
      leave?.();
    };
  }, [containerRef, group, canActivate]);
}
