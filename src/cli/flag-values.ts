/**
 * Parsers for flag values. Each turns the text commander hands over into a
 * typed value or throws a UsageError that names the flag, so a bad value is
 * reported on one line and exits with code 2.
 */
import { readFileSync } from 'node:fs';
import { parseDuration } from '../server/index';
import { UsageError } from './errors';

export function parsePort(text: string, flag = '--port'): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new UsageError(`${flag} must be an integer from 0 to 65535, got ${show(text)}`);
  return port;
}

export function parsePositiveInteger(text: string, flag: string): number {
  const value = /^\d{1,15}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(value >= 1)) throw new UsageError(`${flag} must be a positive integer, got ${show(text)}`);
  return value;
}

export function parsePositiveNumber(text: string, flag: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new UsageError(`${flag} must be a number > 0, got ${show(text)}`);
  return value;
}

/** `host:port` (`[::1]:9100` for IPv6), for a listen address. */
export function parseListenAddress(text: string, flag: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag} must be host:port (e.g. 127.0.0.1:9100), got ${show(text)}`);
  return { host: match[1] ?? match[2], port: parsePort(match[3], flag) };
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

/** A size in bytes such as `65536`, `512KiB`, `8MiB` or `1GiB` (binary units; K, M, G alone mean the same). */
export function parseByteSize(text: string, flag: string): number {
  const match = /^(\d{1,15})\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? BYTE_UNITS[match[2].toLowerCase()] : undefined;
  const value = match && unit ? Number(match[1]) * unit : NaN;
  if (!(value >= 1 && Number.isSafeInteger(value)))
    throw new UsageError(`${flag} must be a size like 65536, 512KiB or 8MiB, got ${show(text)}`);
  return value;
}

/** A duration such as `90s`, `15m`, `24h`, `30d` (a bare number is seconds), in seconds. */
export function parseLifetime(text: string, flag: string): number {
  const seconds = parseDuration(text);
  if (seconds === null) throw new UsageError(`${flag} must be a duration like 90s, 15m, 24h or 30d, got ${show(text)}`);
  return seconds;
}

/**
 * A browser origin (`https://falcon.example.com`), normalised the way browsers
 * send it in the Origin header, so `http://localhost:5173/` still matches.
 */
export function parseOrigin(text: string, flag = '--allowed-origin'): string {
  let url: URL | null = null;
  try {
    url = new URL(text.trim());
  } catch {
    // reported below
  }
  if (!url || url.origin === 'null' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new UsageError(`${flag} must be an origin like https://falcon.example.com, got ${show(text)}`);
  }
  return url.origin;
}

/**
 * Channel patterns for a token: comma-separated globs such as `project:*`,
 * `agent:opus-1` or `*`. Only characters that can occur in a channel, plus
 * `*`, are accepted, so a typo fails here instead of silently matching nothing.
 */
export function parseChannelPatterns(text: string, flag = '--channels'): string[] {
  const patterns = text
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '');
  if (patterns.length === 0 || patterns.length > 256) {
    throw new UsageError(`${flag} must list 1–256 channel patterns, e.g. 'project:*,agent:*'`);
  }
  const bad = patterns.find((pattern) => !/^[A-Za-z0-9._:*-]{1,256}$/.test(pattern));
  if (bad !== undefined) {
    throw new UsageError(`${flag}: ${show(bad)} is not a channel pattern (like project:*, agent:opus-1 or *)`);
  }
  return patterns;
}

/** The contents of a file named by a flag; an unreadable file is a usage error. */
export function readFlagFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`cannot read ${flag} ${path}: ${typeof code === 'string' ? code : String(error)}`);
  }
}

/** Quotes a user-supplied value for an error message, cut short so the message stays on one line. */
export function show(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
