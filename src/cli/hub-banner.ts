/**
 * What `falcon hub` prints on stdout once it listens: its addresses and, in
 * demo mode, a token and commands that work against it as pasted.
 */

/** The address `falcon publish` (and friends) use when given no `--url`. */
export const DEFAULT_HUB_URL = 'http://127.0.0.1:3002';

export interface HubAddresses {
  /** `http(s)://host:port` */
  url: string;
  /** `ws(s)://host:port/ws` */
  wsUrl: string;
  /** Whether the web edition is served at `/`. */
  webServed: boolean;
  /** Where `/metrics` is served, or null when it is not; omitted means `${url}/metrics`. */
  metricsUrl?: string | null;
}

export interface DemoDetails {
  token: string;
  /** The token's lifetime in seconds (7 days, or less under --max-token-ttl). */
  tokenTtlSeconds: number;
  /** Set when the secret was made up for this run, so the operator can sign more tokens. */
  generatedSecret: string | null;
  projectIds: readonly string[];
  agentIds: readonly string[];
  sampleIssue: { issueId: string; projectId: string } | null;
}

export function hubBanner({ url, wsUrl, webServed, metricsUrl = `${url}/metrics` }: HubAddresses): string {
  const lines = [
    'falcon hub is running',
    `  WebSocket    ${wsUrl}`,
    `  HTTP         ${url}`,
    webServed ? `  Web edition  ${url}/` : '  Web edition  not served (run `npm run build`, or pass --web-root)',
    metricsUrl === null
      ? '  Metrics      not served (off loopback: pass --metrics-token-file or --metrics-listen)'
      : `  Metrics      ${metricsUrl}`,
    `  Health       ${url}/healthz`,
  ];
  return `${lines.join('\n')}\n`;
}

export function demoBanner(addresses: HubAddresses, demo: DemoDetails): string {
  const { url, webServed } = addresses;
  const { token } = demo;
  // The defaults of the other commands point at 127.0.0.1:3002; only say --url when they would not.
  const urlFlag = url === DEFAULT_HUB_URL ? '' : ` --url ${url}`;
  const lines = [
    '',
    'Demo: a simulated falcon-pm is publishing',
    `  Projects     ${demo.projectIds.join(', ')}`,
    `  Agents       ${demo.agentIds.join(', ')}`,
  ];
  if (demo.generatedSecret !== null) {
    lines.push(`  Secret       ${demo.generatedSecret}  (generated; tokens signed with it die with this hub)`);
  }
  lines.push(
    '',
    `Token (user demo, every channel, may publish, valid ${lifetime(demo.tokenTtlSeconds)}):`,
    `  ${token}`,
    '',
    'Try:',
    webServed ? `  ${url}/#token=${token}` : '  (the web edition link needs `npm run build` first)',
  );
  const agent = demo.agentIds[0];
  if (agent !== undefined) lines.push(`  npm run falcon -- tail agent:${agent}${urlFlag} --token ${token}`);
  if (demo.sampleIssue !== null) {
    const { issueId, projectId } = demo.sampleIssue;
    const data = JSON.stringify({ issueId, projectId, title: 'Renamed from the falcon CLI' });
    lines.push(`  npm run falcon -- publish project:${projectId} issue_updated '${data}'${urlFlag} --token ${token}`);
  }
  return `${lines.join('\n')}\n`;
}

function lifetime(seconds: number): string {
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return plural(seconds / size, unit);
  }
  return plural(seconds, 'second');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
