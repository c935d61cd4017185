/** What the benchmark scenarios publish: one channel, one event name, ~1 KB of JSON per event. */
export const CHANNEL = 'project:bench';
export const EVENT = 'issue_updated';

const SUMMARY = 'Agent opus-1 refactored the delivery batcher and updated the tests. '.repeat(11).slice(0, 760);

/** A fresh issue_updated payload per event, as an application would build it (~1 KB framed). */
export function payload(sequence: number): Record<string, unknown> {
  return {
    issueId: String(1000 + (sequence % 500)),
    projectId: 'bench',
    title: 'Fan-out benchmark: keep every subscriber up to date',
    status: 'in_progress',
    stage: 'implement',
    agentId: 'opus-1',
    sequence,
    summary: SUMMARY,
  };
}
