/**
 * Agent output, decoded once: the text an output event carries. The hub (for
 * its tail) and the client core (for its deliveries) are its only callers.
 */
/** The text an output event carries: `output.content` or the joined `output_batch.lines`. */
export function outputText(event: string, data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  if (event === 'output') {
    const content = (data as { content?: unknown }).content;
    return typeof content === 'string' ? content : null;
  }
  if (event === 'output_batch') {
    const lines = (data as { lines?: unknown }).lines;
    return Array.isArray(lines) && lines.every((line) => typeof line === 'string') ? lines.join('') : null;
  }
  return null;
}
