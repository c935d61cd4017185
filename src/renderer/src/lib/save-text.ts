/** How long a download's object URL lives: the browser has taken the file long before. */
const REVOKE_AFTER_MS = 60_000;

/**
 * Offers `text` as a file download named `fileName` — a Blob behind an
 * `<a download>`, which the web edition and Electron's renderer both turn
 * into a download (Electron asks where to save it).
 */
export function saveTextFile(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel a download that has not started reading the Blob yet.
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

/** "opus-1-2025-01-31-1405.txt": the agent and local time, safe in any file system. */
export function outputFileName(agentId: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const safe = agentId.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '') || 'agent';
  return `${safe}-${stamp}.txt`;
}
