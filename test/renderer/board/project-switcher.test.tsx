// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProjectSwitcher } from '../../../src/renderer/src/components/board/ProjectSwitcher';
import { PROJECT_REFRESH_MS } from '../../../src/renderer/src/stores/projects-store';
import { createTestServices, fakeBridge, renderWith, seed } from './harness';

const flush = () => act(async () => void (await vi.advanceTimersByTimeAsync(0)));

describe('ProjectSwitcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  const options = () =>
    within(screen.getByLabelText('Project'))
      .queryAllByRole('option')
      .map((option) => option.textContent);

  it('lists the hub’s projects merged with those seen in issues, and selects the first', async () => {
    const bridge = fakeBridge(['web', 'api']);
    const services = createTestServices(bridge);
    seed(services, [{ issueId: '1', projectId: 'cli' }]);
    renderWith(services, <ProjectSwitcher />);
    await flush();
    expect(options()).toEqual(['api', 'cli', 'web']);
    expect(services.layout.getState().projectId).toBe('api');
    expect((screen.getByLabelText('Project') as HTMLSelectElement).value).toBe('api');
  });

  it('waits for the hub’s list before choosing the first project', async () => {
    const bridge = fakeBridge();
    let answer: (ids: string[]) => void = () => undefined;
    bridge.listProjects.mockReturnValue(new Promise<string[]>((resolve) => (answer = resolve)));
    const services = createTestServices(bridge);
    seed(services, [{ issueId: '1', projectId: 'web' }]);
    renderWith(services, <ProjectSwitcher />);
    await flush();
    expect(services.layout.getState().projectId).toBeNull();
    await act(async () => answer(['api']));
    expect(services.layout.getState().projectId).toBe('api');
  });

  it('keeps a selected project and selects through layout.selectProject', async () => {
    const services = createTestServices(fakeBridge(['api', 'web']));
    services.layout.getState().selectProject('web');
    renderWith(services, <ProjectSwitcher />);
    await flush();
    expect(services.layout.getState().projectId).toBe('web');
    fireEvent.change(screen.getByLabelText('Project'), { target: { value: 'api' } });
    expect(services.layout.getState().projectId).toBe('api');
  });

  it('fetches the list again every 30 seconds, and stops when unmounted', async () => {
    const bridge = fakeBridge(['api']);
    const services = createTestServices(bridge);
    const { unmount } = renderWith(services, <ProjectSwitcher />);
    await flush();
    expect(bridge.listProjects).toHaveBeenCalledTimes(1);
    bridge.listProjects.mockResolvedValue(['api', 'new']);
    await act(async () => void (await vi.advanceTimersByTimeAsync(PROJECT_REFRESH_MS)));
    expect(bridge.listProjects).toHaveBeenCalledTimes(2);
    expect(options()).toEqual(['api', 'new']);
    unmount();
    await vi.advanceTimersByTimeAsync(PROJECT_REFRESH_MS * 3);
    expect(bridge.listProjects).toHaveBeenCalledTimes(2);
  });

  it('keeps the last list when the hub cannot be asked', async () => {
    const bridge = fakeBridge(['api']);
    const services = createTestServices(bridge);
    renderWith(services, <ProjectSwitcher />);
    await flush();
    bridge.listProjects.mockRejectedValue(new Error('offline'));
    await act(async () => void (await vi.advanceTimersByTimeAsync(PROJECT_REFRESH_MS)));
    expect(options()).toEqual(['api']);
  });

  it('is disabled while there is no project at all', async () => {
    const services = createTestServices(fakeBridge([]));
    renderWith(services, <ProjectSwitcher />);
    await flush();
    expect(options()).toEqual(['No projects']);
    expect((screen.getByLabelText('Project') as HTMLSelectElement).disabled).toBe(true);
    expect(services.layout.getState().projectId).toBeNull();
  });
});
