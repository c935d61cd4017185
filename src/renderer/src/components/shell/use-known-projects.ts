import { useEffect, useState } from 'react';
import { useProjects, useServices } from '../../services';

/**
 * The projects the hub lists for this token (the page's projects store,
 * kept fresh while this is mounted), plus the selected one, as a stable
 * sorted array: it changes identity only when its contents do, so
 * subscriptions are not churned.
 */
export function useKnownProjects(selected: string | null): string[] {
  const { projects: store } = useServices();
  useEffect(() => store.watch(), [store]);
  const listed = useProjects((s) => s.listed);
  const [projects, setProjects] = useState<string[]>([]);
  const merged = [...new Set([...listed, ...(selected ? [selected] : [])])].sort();
  if (!same(projects, merged)) setProjects(merged);
  return same(projects, merged) ? projects : merged;
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
