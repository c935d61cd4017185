import { formatDuration } from '../../lib/board-view';
import { useNow } from './use-now';

export interface ElapsedTimeProps {
  /** Start of the period (ms since epoch). */
  since: number;
  /** Read by screen readers before the duration, e.g. "in status for". */
  label?: string;
  className?: string;
}

/**
 * Time since `since`, ticking every second. Its own component so only this
 * span re-renders each second, not the card or row around it.
 */
export function ElapsedTime({ since, label, className }: ElapsedTimeProps) {
  const now = useNow(1000);
  return (
    <span className={className} title={new Date(since).toLocaleString()}>
      {label ? <span className="visually-hidden">{label} </span> : null}
      {formatDuration(now - since)}
    </span>
  );
}
