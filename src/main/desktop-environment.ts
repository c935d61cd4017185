/** Facts about the desktop the app runs on, decided without Electron. */

/**
 * Whether a tray icon will be visible. Stock GNOME (Fedora, Debian, Arch…)
 * shows no tray icons without the AppIndicator extension, which Ubuntu and
 * Pop!_OS ship; there, a window closed "to the tray" would leave an invisible
 * app, so closing the last window quits. Electron has no API that answers
 * this (its docs: "On Linux the app indicator will be used if it is
 * supported"), hence the desktop name, from `XDG_CURRENT_DESKTOP`.
 */
export function desktopHasTray(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): boolean {
  if (platform !== 'linux') return true;
  const desktops = (env.XDG_CURRENT_DESKTOP ?? '').split(':').map((name) => name.trim().toLowerCase());
  if (!desktops.includes('gnome')) return true;
  return desktops.some((name) => name === 'ubuntu' || name === 'pop' || name === 'unity');
}

/**
 * The proxy Chromium would use for a URL (`session.resolveProxy` answers like
 * `"PROXY host:port; DIRECT"`), as a URL for an HTTP CONNECT agent, or null
 * to connect directly. SOCKS proxies are reported as unsupported.
 */
export function proxyFromPac(
  answer: string,
): { kind: 'direct' } | { kind: 'http'; url: string } | { kind: 'unsupported'; rule: string } {
  const first = answer.split(';')[0]?.trim() ?? '';
  if (first === '' || first.toUpperCase() === 'DIRECT') return { kind: 'direct' };
  const match = /^(PROXY|HTTPS)\s+([^\s/]+)$/i.exec(first);
  if (!match) return { kind: 'unsupported', rule: first.slice(0, 200) };
  const scheme = match[1].toUpperCase() === 'HTTPS' ? 'https' : 'http';
  const url = `${scheme}://${match[2]}`;
  return URL.canParse(url) ? { kind: 'http', url } : { kind: 'unsupported', rule: first.slice(0, 200) };
}
