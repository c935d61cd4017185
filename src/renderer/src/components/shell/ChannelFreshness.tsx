import { useEffect, useState } from 'react';
import { useConnection } from '../../services';

/** Per channel, how long since its last event: tells a quiet agent from a stuck connection. */
export function ChannelFreshness({ channels }: { channels: string[] }) {
  const lastEventAt = useConnection((s) => s.lastEventAt);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (channels.length === 0) return null;
  return (
    <details className="channel-freshness">
      <summary>Channels ({channels.length})</summary>
      <ul>
        {channels.map((channel) => {
          const at = lastEventAt[channel];
          return (
            <li key={channel}>
              <code>{channel}</code> —{' '}
              {at ? `last event ${Math.max(0, Math.round((now - at) / 1000))} s ago` : 'no events yet'}
            </li>
          );
        })}
      </ul>
    </details>
  );
}
