import { useEffect, useId, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { projectsOf } from '../../lib/board-view';
import { useBoard, useLayout, useProjects, useServices } from '../../services';
import './board.css';

/**
 * Chooses the project the board shows: the hub's list (the page's projects
 * store, kept fresh while this is mounted) merged with projects seen in
 * issues. Picks the first one when none is selected.
 */
export function ProjectSwitcher() {
  const { layout, projects: projectList } = useServices();
  const projectId = useLayout((s) => s.projectId);
  const seen = useBoard(useShallow((s) => projectsOf(Object.values(s.issues))));
  const listed = useProjects((s) => s.listed);
  const asked = useProjects((s) => s.asked);
  const id = useId();

  useEffect(() => projectList.watch(), [projectList]);

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
