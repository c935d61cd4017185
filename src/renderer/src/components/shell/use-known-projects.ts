import { useEffect, useState } from 'react';
import type { FalconBridge } from '../../../../shared/bridge';

const REFRESH_MS = 30_000;

/**
 * The projects the hub lists for this token (refreshed every 30 s), plus the
 * selected one, as a stable sorted array: it changes identity only when its
 * contents do, so subscriptions are not churned.
 */
export function useKnownProjects(bridge: FalconBridge, selected: string | null): string[] {
  const [listed, setListed] = useState<string[]>([]);
  useEffect(() => {
    let current = true;
    const refresh = () =>
      void bridge.listProjects().then(
        (ids) => {
          if (current) setListed((previous) => (same(previous, ids) ? previous : ids));
        },
        () => {},
      );
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [bridge]);
  const [projects, setProjects] = useState<string[]>([]);
  const merged = [...new Set([...listed, ...(selected ? [selected] : [])])].sort();
  if (!same(projects, merged)) setProjects(merged);
  return same(projects, merged) ? projects : merged;
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
