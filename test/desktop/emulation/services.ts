/**
 * The smaller modules main uses, each as its Electron doc describes:
 * clipboard (https://www.electronjs.org/docs/latest/api/clipboard), dialog
 * (…/dialog), shell (…/shell), screen (…/screen), powerMonitor
 * (…/power-monitor) and nativeImage (…/native-image). Dialogs, external
 * opens and clipboard writes are recorded; a message box waits until the test
 * answers it.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import type { DialogRecord } from './control-types';
import { onControl, provideState, stateChanged } from './runtime';

// ---------------------------------------------------------------- clipboard
let clipboardText = '';
const clipboardWrites: string[] = [];
export const clipboard = {
  writeText(text: string): void {
    clipboardText = String(text);
    clipboardWrites.push(clipboardText);
    stateChanged();
  },
  readText(): string {
    return clipboardText;
  },
  clear(): void {
    clipboardText = '';
    stateChanged();
  },
  availableFormats(): string[] {
    return clipboardText ? ['text/plain'] : [];
  },
};
provideState('clipboard', () => ({ text: clipboardText, writes: clipboardWrites }));

// ---------------------------------------------------------------- dialog
interface MessageBoxOptions {
  type?: string;
  title?: string;
  message: string;
  detail?: string;
  buttons?: string[];
  cancelId?: number;
  defaultId?: number;
}
const dialogs: DialogRecord[] = [];
const answers = new Map<number, (response: number) => void>();

function record(kind: DialogRecord['kind'], options: MessageBoxOptions): DialogRecord {
  const entry: DialogRecord = {
    index: dialogs.length,
    kind,
    type: options.type ?? 'none',
    title: options.title ?? '',
    message: options.message,
    detail: options.detail ?? '',
    buttons: options.buttons ?? ['OK'],
    answered: kind === 'errorBox',
  };
  dialogs.push(entry);
  stateChanged();
  return entry;
}

export const dialog = {
  /** Resolves when the test answers (`DesktopDriver.answerDialog`), with {response, checkboxChecked}. */
  showMessageBox(windowOrOptions: unknown, maybeOptions?: MessageBoxOptions) {
    const options = (maybeOptions ?? windowOrOptions) as MessageBoxOptions;
    const entry = record('messageBox', options);
    return new Promise<{ response: number; checkboxChecked: boolean }>((resolve) =>
      answers.set(entry.index, (response) => resolve({ response, checkboxChecked: false })),
    );
  },
  /** Synchronous: the emulation answers with `cancelId` (or 0) at once. */
  showMessageBoxSync(windowOrOptions: unknown, maybeOptions?: MessageBoxOptions): number {
    const options = (maybeOptions ?? windowOrOptions) as MessageBoxOptions;
    const entry = record('messageBox', options);
    entry.answered = true;
    return options.cancelId ?? 0;
  },
  /** "This API can be called safely before the ready event the app module emits" — recorded, returns at once. */
  showErrorBox(title: string, content: string): void {
    record('errorBox', { title, message: content, type: 'error' });
  },
};
provideState('dialogs', () => dialogs);
onControl('dialog-answer', (request) => {
  if (request.op !== 'dialog-answer') return;
  const answer = answers.get(request.index);
  if (!answer) throw new Error(`no open message box ${request.index}`);
  answers.delete(request.index);
  dialogs[request.index]!.answered = true;
  answer(request.response);
  stateChanged();
});

// ---------------------------------------------------------------- shell
const openedExternally: string[] = [];
export const shell = {
  openExternal(url: string): Promise<void> {
    openedExternally.push(url);
    stateChanged();
    return Promise.resolve();
  },
  openPath(path: string): Promise<string> {
    openedExternally.push(path);
    stateChanged();
    return Promise.resolve('');
  },
  showItemInFolder(path: string): void {
    openedExternally.push(path);
    stateChanged();
  },
  beep(): void {},
};
provideState('openedExternally', () => openedExternally);

// ---------------------------------------------------------------- screen
interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}
/** One 1920×1080 display, or FALCON_EMU_DISPLAYS (a JSON array of bounds) for tests of restored bounds. */
const displayBounds: Rectangle[] = process.env.FALCON_EMU_DISPLAYS
  ? (JSON.parse(process.env.FALCON_EMU_DISPLAYS) as Rectangle[])
  : [{ x: 0, y: 0, width: 1920, height: 1080 }];
const displays = displayBounds.map((bounds, index) => ({
  id: index + 1,
  label: `Emulated display ${index + 1}`,
  bounds,
  workArea: { ...bounds, height: bounds.height - 40 },
  size: { width: bounds.width, height: bounds.height },
  workAreaSize: { width: bounds.width, height: bounds.height - 40 },
  scaleFactor: 1,
  rotation: 0,
  internal: false,
  monochrome: false,
  accelerometerSupport: 'unknown',
  touchSupport: 'unknown',
  colorDepth: 24,
  colorSpace: '',
  depthPerComponent: 8,
  displayFrequency: 60,
  detected: true,
}));
function overlap(a: Rectangle, b: Rectangle): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}
class Screen extends EventEmitter {
  getAllDisplays() {
    return displays;
  }
  getPrimaryDisplay() {
    return displays[0]!;
  }
  /** The display that most closely intersects the rectangle (the primary one when none does). */
  getDisplayMatching(rect: Rectangle) {
    let best = displays[0]!;
    let bestArea = 0;
    for (const display of displays) {
      const area = overlap(display.bounds, rect);
      if (area > bestArea) [best, bestArea] = [display, area];
    }
    return best;
  }
  getDisplayNearestPoint(point: { x: number; y: number }) {
    return this.getDisplayMatching({ ...point, width: 1, height: 1 });
  }
  getCursorScreenPoint() {
    return { x: 0, y: 0 };
  }
}
export const screen = new Screen();

// ---------------------------------------------------------------- powerMonitor
class PowerMonitor extends EventEmitter {
  getSystemIdleState(): string {
    return 'active';
  }
  getSystemIdleTime(): number {
    return 0;
  }
  isOnBatteryPower(): boolean {
    return false;
  }
}
export const powerMonitor = new PowerMonitor();
onControl('power', (request) => {
  if (request.op === 'power') powerMonitor.emit(request.event, {});
});

// ---------------------------------------------------------------- nativeImage
class NativeImage {
  private template = false;
  constructor(readonly path: string | null) {}
  isEmpty(): boolean {
    return this.path === null || !existsSync(this.path);
  }
  setTemplateImage(template: boolean): void {
    this.template = template;
  }
  isTemplateImage(): boolean {
    return this.template;
  }
  getSize() {
    return this.isEmpty() ? { width: 0, height: 0 } : { width: 16, height: 16 };
  }
  toPNG(): Buffer {
    return this.isEmpty() ? Buffer.alloc(0) : readFileSync(this.path!);
  }
  resize(): NativeImage {
    return this;
  }
}
export const nativeImage = {
  /** An empty image when the file does not exist, as documented. */
  createFromPath: (path: string) => new NativeImage(path),
  createEmpty: () => new NativeImage(null),
  createFromDataURL: () => new NativeImage(null),
  createFromBuffer: () => new NativeImage(null),
};
