import { expect } from 'vitest';

/**
 * A Content Security Policy read the way a browser reads it (CSP 3, "parse a
 * serialized CSP"): directives split on `;`, names lower-cased, sources split
 * on whitespace; a repeated directive is ignored after its first occurrence.
 * Tests judge a policy by what it allows, not by comparing it with the
 * string the code builds.
 */
export interface ParsedPolicy {
  directives: Map<string, string[]>;
  /** Directive names that appeared more than once (a browser ignores all but the first). */
  repeated: string[];
}

export function parsePolicy(policy: string): ParsedPolicy {
  const directives = new Map<string, string[]>();
  const repeated: string[] = [];
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    const key = name.toLowerCase();
    if (directives.has(key)) repeated.push(key);
    else directives.set(key, sources);
  }
  return { directives, repeated };
}

/** Fetch directives fall back to default-src when absent (CSP 3 §6.8.3, script-src-elem → script-src → default-src). */
const FALLBACK: Record<string, string[]> = {
  'script-src-elem': ['script-src', 'default-src'],
  'script-src-attr': ['script-src', 'default-src'],
  'script-src': ['default-src'],
  'style-src': ['default-src'],
  'img-src': ['default-src'],
  'connect-src': ['default-src'],
  'object-src': ['default-src'],
  'font-src': ['default-src'],
  'frame-src': ['child-src', 'default-src'],
  'worker-src': ['child-src', 'script-src', 'default-src'],
};

/** The sources that govern `directive`, after fallbacks; null when nothing restricts it. */
export function effectiveSources(parsed: ParsedPolicy, directive: string): string[] | null {
  for (const name of [directive, ...(FALLBACK[directive] ?? [])]) {
    const sources = parsed.directives.get(name);
    if (sources) return sources;
  }
  return null;
}

/** Sources that let a page run code the app did not ship. */
const UNSAFE_SCRIPT_SOURCES = [
  "'unsafe-eval'",
  "'wasm-unsafe-eval'",
  "'unsafe-hashes'",
  '*',
  'data:',
  'blob:',
  'http:',
  'https:',
];

/**
 * What the renderer's policy must mean: scripts only from the app itself
 * (`'unsafe-inline'` in dev only, for the React refresh preamble; never eval),
 * no plugins, no <base> rewriting, no framing, and connections to any hub the
 * user configures (ws:, wss:, and http(s): for the token probe).
 * `header` adds what only a response header can carry (frame-ancestors).
 */
export function expectRendererPolicy(policy: string, { dev, header }: { dev: boolean; header: boolean }): void {
  const parsed = parsePolicy(policy);
  expect(parsed.repeated, 'repeated directives').toEqual([]);
  expect(effectiveSources(parsed, 'default-src')).toEqual(["'self'"]);

  const scripts = effectiveSources(parsed, 'script-src');
  expect(scripts, 'script-src').not.toBeNull();
  expect(new Set(scripts)).toEqual(new Set(dev ? ["'self'", "'unsafe-inline'"] : ["'self'"]));
  for (const name of ['script-src', 'script-src-elem', 'script-src-attr', 'default-src']) {
    const sources = effectiveSources(parsed, name) ?? [];
    for (const unsafe of UNSAFE_SCRIPT_SOURCES) expect(sources, `${name} allows ${unsafe}`).not.toContain(unsafe);
  }

  expect(effectiveSources(parsed, 'object-src')).toEqual(["'none'"]);
  expect(parsed.directives.get('base-uri')).toEqual(["'none'"]);
  if (header) expect(parsed.directives.get('frame-ancestors')).toEqual(["'none'"]);

  const connect = effectiveSources(parsed, 'connect-src') ?? [];
  for (const needed of ["'self'", 'ws:', 'wss:']) expect(connect, `connect-src needs ${needed}`).toContain(needed);
  // Images: the app's own and data: URLs (icons), never an arbitrary remote host.
  expect(effectiveSources(parsed, 'img-src')).not.toContain('*');
}
