import { useEffect, useId, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { projectsOf } from '../../lib/board-view';
import { useBoard, useLayout, useServices } from '../../services';
import './board.css';

/** How often the hub's project list is fetched again. */
export const PROJECT_REFRESH_MS = 30_000;

export interface ProjectSwitcherProps {
  /** Refresh interval of the hub's list (ms). */
  refreshMs?: number;
}

/**
 * Chooses the project the board shows: the hub's list (fetched on mount and
 * every `refreshMs`) merged with projects seen in issues. Picks the first one
 * when none is selected.
 */
export function ProjectSwitcher({ refreshMs = PROJECT_REFRESH_MS }: ProjectSwitcherProps) {
  const { bridge, layout } = useServices();
  const projectId = useLayout((s) => s.projectId);
  const seen = useBoard(useShallow((s) => projectsOf(Object.values(s.issues))));
  const [listed, setListed] = useState<string[]>([]);
  // Until the hub first answers (or fails to), "the first project" is not known yet.
  const [asked, setAsked] = useState(false);
  const id = useId();

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      bridge.listProjects().then(
        (ids) => {
          if (cancelled) return;
          setListed((previous) => (sameList(previous, ids) ? previous : ids));
          setAsked(true);
        },
        // Keep the last list: the hub may be restarting, and the next refresh will tell.
        () => {
          if (!cancelled) setAsked(true);
        },
      );
    void load();
    const timer = setInterval(load, refreshMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [bridge, refreshMs]);

  const projects = useMemo(
    () => projectsOf([], projectId ? [...listed, ...seen, projectId] : [...listed, ...seen]),
    [listed, seen, projectId],
  );

  useEffect(() => {
    if (asked && projectId === null && projects.length > 0) layout.getState().selectProject(projects[0]);
  }, [asked, projectId, projects, layout]);

  return (
    <div className="project-switcher">
      <label htmlFor={id}>Project</label>
      <select
        id={id}
        value={projectId ?? ''}
        disabled={projects.length === 0}
        onChange={(event) => layout.getState().selectProject(event.target.value || null)}
      >
        {projects.length === 0 ? <option value="">No projects</option> : null}
        {projects.map((project) => (
          <option key={project} value={project}>
            {project}
          </option>
        ))}
      </select>
    </div>
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
