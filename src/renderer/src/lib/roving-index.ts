/**
 * The WAI-ARIA roving keys of a one-dimensional widget (a menu, a tab list):
 * the index the key moves to among `count` items, wrapping at both ends, or
 * null when the key is not one of them. `current` is -1 when no item has
 * focus (the next key then starts at the first, the previous at the last).
 */
export function rovingIndex(
  key: string,
  current: number,
  count: number,
  axis: 'horizontal' | 'vertical',
): number | null {
  if (count <= 0) return null;
  const last = count - 1;
  const [previous, next] = axis === 'horizontal' ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
  switch (key) {
    case next:
      return current < 0 || current >= last ? 0 : current + 1;
    case previous:
      return current <= 0 ? last : current - 1;
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}
