import type { StateStorage } from 'zustand/middleware';

/**
 * A zustand `StateStorage` kept in memory: a detached window's layout (never
 * saved, so the main window's stays as it is), and stores under test. `data`
 * holds what was written.
 */
export function memoryStorage(): StateStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (name) => data.get(name) ?? null,
    setItem: (name, value) => void data.set(name, value),
    removeItem: (name) => void data.delete(name),
  };
}
