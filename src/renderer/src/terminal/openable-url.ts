const OPENABLE_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * Whether a link found in terminal output may be handed to `openExternal`:
 * only absolute http(s) URLs with a host, as the URL parser reads them (so
 * `javascript:`, `file:`, `smb:` and look-alikes never pass). The desktop main
 * process applies its own allow-list on top; this is the renderer's first gate.
 */
export function isOpenableUrl(candidate: string): boolean {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 8192) return false;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  return OPENABLE_PROTOCOLS.has(url.protocol) && url.hostname.length > 0;
}
