import type { SkippedOutput } from './delivery';

/** Bytes for people: `512 B`, `3.4 KB`, `12.0 MB` (decimal units). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  if (bytes < 1_000_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${(bytes / 1_000_000_000).toFixed(1)} GB`;
}

/** The one wording of a skip, for the CLI's notice line and the pane's marker. */
export function skippedText(skipped: SkippedOutput): string {
  const events = skipped.events === 1 ? '1 event' : `${skipped.events} events`;
  return `skipped ${events}, ${formatBytes(skipped.bytes)} of output (came faster than it could be read)`;
}
