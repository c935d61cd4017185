/**
 * How long the board remembers what is over: finished issues and agents that
 * went quiet. Without it a board only grows. The Redis engine expires the
 * same records with key TTLs (docs/hub.md, "Retention"); this is the same rule
 * for a board held in memory, plus count caps, since a process has no
 * `maxmemory` to fall back on.
 */
import type { BoardState } from './board-state';

export interface BoardRetention {
  /** How long a finished (`done`) issue, and an agent without activity, stay on the board. Default 24 h. */
  finishedTtlMs: number;
  /** Finished issues kept at most; the least recently updated go first. Default 5 000. */
  maxFinishedIssues: number;
  /** Issues kept at most, finished or not; the least recently updated go first. Default 20 000. */
  maxIssues: number;
  /** Agents kept at most; the least recently active go first. Default 1 000. */
  maxAgents: number;
}

export const DEFAULT_BOARD_RETENTION: BoardRetention = {
  finishedTtlMs: 24 * 3600_000,
  // An issue costs up to about 2 KiB (a 1 000-character title), an agent up to about 20 KiB (its
  // message, and while it waits its prompt and choices): at most about 40 MiB and 20 MiB.
  maxFinishedIssues: 5_000,
  maxIssues: 20_000,
  maxAgents: 1_000,
};

/** Finished work: what the Redis engine lets expire too. */
export function isFinishedIssue(issue: { status?: string }): boolean {
  return issue.status === 'done';
}

/** What `pruneBoard` removed. */
export interface PrunedBoard {
  issues: string[];
  agents: string[];
}

/**
 * Forgets finished issues and quiet agents past `finishedTtlMs`, then the
 * least recently updated ones past the count caps. Cheap to call when nothing
 * is due: one pass over the board.
 */
export function pruneBoard(board: BoardState, now: number, retention: BoardRetention): PrunedBoard {
  const pruned: PrunedBoard = { issues: [], agents: [] };
  const finished: Array<[string, number]> = [];
  for (const [id, issue] of board.issues) {
    if (!isFinishedIssue(issue)) continue;
    const at = issue.updatedAt ?? 0;
    if (now - at > retention.finishedTtlMs) {
      board.issues.delete(id);
      pruned.issues.push(id);
    } else finished.push([id, at]);
  }
  for (const id of oldestBeyond(finished, retention.maxFinishedIssues)) {
    board.issues.delete(id);
    pruned.issues.push(id);
  }
  if (board.issues.size > retention.maxIssues) {
    const all = [...board.issues].map(([id, issue]): [string, number] => [id, issue.updatedAt ?? 0]);
    for (const id of oldestBeyond(all, retention.maxIssues)) {
      board.issues.delete(id);
      pruned.issues.push(id);
    }
  }
  const agents: Array<[string, number]> = [];
  for (const [id, agent] of board.agents) {
    const at = agent.lastActivityAt ?? 0;
    if (now - at > retention.finishedTtlMs) {
      board.agents.delete(id);
      pruned.agents.push(id);
    } else agents.push([id, at]);
  }
  for (const id of oldestBeyond(agents, retention.maxAgents)) {
    board.agents.delete(id);
    pruned.agents.push(id);
  }
  return pruned;
}

/** The ids of the oldest entries beyond the newest `keep`. */
function oldestBeyond(entries: Array<[string, number]>, keep: number): string[] {
  if (entries.length <= keep) return [];
  entries.sort((a, b) => a[1] - b[1]);
  return entries.slice(0, entries.length - keep).map(([id]) => id);
}
