import { type Browser, launch } from 'puppeteer-core';
import { findSystemProgram, requireSystemProgram } from './system';

/** Where Firefox lives: Debian's ESR first, then the usual installs (GitHub's runners ship Firefox). */
const FIREFOX_CANDIDATES = [
  '/usr/bin/firefox-esr',
  '/usr/bin/firefox',
  '/Applications/Firefox.app/Contents/MacOS/firefox',
  'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
];

/**
 * Debian's Firefox ESR (or FIREFOX_PATH, or another Firefox); null (suite skipped with a notice)
 * when absent outside CI. Under CI=true a missing Firefox fails the run (.ci/run installs firefox-esr).
 */
export function firefoxPath(): string | null {
  if (process.env.FIREFOX_PATH) return process.env.FIREFOX_PATH;
  return (
    findSystemProgram('firefox-esr', FIREFOX_CANDIDATES) ??
    findSystemProgram('firefox') ??
    requireSystemProgram('firefox-esr')
  );
}

/**
 * Preferences on top of puppeteer's own test profile (which already turns off updates, telemetry
 * and first-run pages): nothing else phones home while a test runs.
 */
const QUIET_PREFS: Record<string, unknown> = {
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'media.gmp-manager.updateEnabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
};

/**
 * How every test launches Firefox: headless, over WebDriver BiDi (puppeteer's only protocol
 * for Firefox), in a fresh temporary profile puppeteer removes on close. Firefox's start-up
 * is slow on a loaded machine, hence the long launch timeout.
 */
export async function launchFirefox(executablePath: string): Promise<Browser> {
  return launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath,
    headless: true,
    timeout: 120_000,
    extraPrefsFirefox: QUIET_PREFS,
  });
}
