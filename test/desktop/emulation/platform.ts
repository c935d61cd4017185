/**
 * The OS the emulated app believes it runs on. `FALCON_EMU_PLATFORM`
 * (`darwin`, `win32`, `linux`) changes what `process.platform` answers to the
 * built main process only (out/main), so main takes its macOS or Windows
 * paths (notification actions, the toast activator) on this Linux machine;
 * everything else in the child (Node itself, Playwright driving Chromium,
 * the emulation) still sees the real OS. Only the direct caller is checked:
 * Node's own modules called from main keep the real answer. The emulated
 * Electron APIs follow the emulated OS where their docs differ per platform
 * (./tray.ts, Notification). Test-only, never shipped.
 */
const REAL = process.platform;
const asked = process.env.FALCON_EMU_PLATFORM;

/** The OS the emulated Electron APIs behave as. */
export const emulatedPlatform: NodeJS.Platform =
  asked === 'darwin' || asked === 'win32' || asked === 'linux' ? asked : REAL;

function calledFromMain(getter: () => unknown): boolean {
  const original = Error.prepareStackTrace;
  const holder: { stack?: unknown } = {};
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    Error.captureStackTrace(holder, getter);
    const frames = holder.stack as NodeJS.CallSite[] | undefined;
    const file = frames?.[0]?.getFileName() ?? '';
    return /[/\\]out[/\\]main[/\\]/.test(file);
  } finally {
    Error.prepareStackTrace = original;
  }
}

if (emulatedPlatform !== REAL) {
  const getter = (): NodeJS.Platform => (calledFromMain(getter) ? emulatedPlatform : REAL);
  Object.defineProperty(process, 'platform', { configurable: true, enumerable: true, get: getter });
}
