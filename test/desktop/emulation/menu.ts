/**
 * `Menu` and `MenuItem` (https://www.electronjs.org/docs/latest/api/menu,
 * https://www.electronjs.org/docs/latest/api/menu-item): templates become
 * items; the default submenus of `fileMenu`, `editMenu`, `viewMenu`,
 * `windowMenu` and `appMenu` are filled in as documented, and a role item's
 * click does what the role does (View → Reload reloads the focused window).
 */
import type { MenuItemRecord } from './control-types';
import { BrowserWindow } from './browser-window';
import { onControl, provideState, stateChanged } from './runtime';

type Click = (item: MenuItem, window: BrowserWindow | undefined, event: object) => void;
interface Template {
  id?: string;
  label?: string;
  role?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  visible?: boolean;
  accelerator?: string;
  click?: Click;
  submenu?: Template[] | Menu;
}

const ROLE_SUBMENUS: Record<string, string[]> = {
  appMenu: ['about', 'separator', 'services', 'separator', 'hide', 'hideOthers', 'unhide', 'separator', 'quit'],
  fileMenu: [process.platform === 'darwin' ? 'close' : 'quit'],
  editMenu: ['undo', 'redo', 'separator', 'cut', 'copy', 'paste', 'delete', 'separator', 'selectAll'],
  viewMenu: [
    'reload',
    'forceReload',
    'toggleDevTools',
    'separator',
    'resetZoom',
    'zoomIn',
    'zoomOut',
    'separator',
    'togglefullscreen',
  ],
  windowMenu: ['minimize', 'zoom', 'close'],
};
const ROLE_LABELS: Record<string, string> = {
  appMenu: 'App',
  fileMenu: 'File',
  editMenu: 'Edit',
  viewMenu: 'View',
  windowMenu: 'Window',
  help: 'Help',
  reload: 'Reload',
  forceReload: 'Force Reload',
  toggleDevTools: 'Toggle Developer Tools',
  quit: 'Quit',
  close: 'Close',
  minimize: 'Minimize',
};

/** Records of role actions without an observable effect in headless Chromium (devtools, zoom, …). */
const roleActions: string[] = [];

function runRole(role: string): void {
  const window = BrowserWindow.getFocusedWindow() ?? undefined;
  roleActions.push(role);
  switch (role.toLowerCase()) {
    case 'reload':
    case 'forcereload':
      return window?.webContents.reload();
    case 'close':
      return window?.close();
    case 'minimize':
      return window?.minimize();
    case 'quit':
      // Lazy: app.ts imports this module's users.
      void import('./app').then(({ app }) => app.quit());
      return;
  }
}

export class MenuItem {
  readonly id: string | null;
  label: string;
  readonly role: string | null;
  readonly type: string;
  checked: boolean;
  enabled: boolean;
  visible: boolean;
  readonly submenu: Menu | null;
  private readonly onClick: Click | undefined;

  constructor(template: Template) {
    this.id = template.id ?? null;
    this.role = template.role ?? null;
    this.label = template.label ?? (this.role ? (ROLE_LABELS[this.role] ?? this.role) : '');
    this.checked = template.checked ?? false;
    this.enabled = template.enabled ?? true;
    this.visible = template.visible ?? true;
    this.onClick = template.click;
    const sub =
      template.submenu ??
      (this.role && ROLE_SUBMENUS[this.role]?.map((role) => (role === 'separator' ? { type: 'separator' } : { role })));
    this.submenu = sub ? (sub instanceof Menu ? sub : Menu.buildFromTemplate(sub)) : null;
    this.type = template.type ?? (this.submenu ? 'submenu' : 'normal');
  }

  /** As a user's click: a checkbox toggles first; a role item does its role. */
  click(): void {
    if (!this.enabled) return;
    if (this.type === 'checkbox') this.checked = !this.checked;
    if (this.onClick) this.onClick(this, BrowserWindow.getFocusedWindow() ?? undefined, {});
    else if (this.role) runRole(this.role);
    stateChanged();
  }

  record(): MenuItemRecord {
    return {
      id: this.id,
      label: this.label,
      role: this.role,
      type: this.type,
      checked: this.checked,
      enabled: this.enabled,
      submenu: this.submenu?.items.map((item) => item.record()) ?? [],
    };
  }
}

export class Menu {
  readonly items: MenuItem[] = [];

  static buildFromTemplate(template: Array<Template | MenuItem>): Menu {
    const menu = new Menu();
    for (const entry of template) menu.append(entry instanceof MenuItem ? entry : new MenuItem(entry));
    return menu;
  }

  static setApplicationMenu(menu: Menu | null): void {
    applicationMenu = menu;
    stateChanged();
  }

  static getApplicationMenu(): Menu | null {
    return applicationMenu;
  }

  append(item: MenuItem): void {
    this.items.push(item);
  }

  getMenuItemById(id: string): MenuItem | null {
    return findItem(this, (item) => item.id === id);
  }

  popup(): void {}
  closePopup(): void {}
}

let applicationMenu: Menu | null = null;

/** The first item (depth first) by id, role or label. */
export function findItem(menu: Menu, matches: (item: MenuItem) => boolean): MenuItem | null {
  for (const item of menu.items) {
    if (matches(item)) return item;
    const inner = item.submenu ? findItem(item.submenu, matches) : null;
    if (inner) return inner;
  }
  return null;
}

export function itemNamed(name: string): (item: MenuItem) => boolean {
  return (item) => item.type !== 'submenu' && (item.id === name || item.role === name || item.label === name);
}

provideState('applicationMenu', () => applicationMenu?.items.map((item) => item.record()) ?? []);
onControl('menu-click', (request) => {
  if (request.op !== 'menu-click') return;
  if (request.windowId !== undefined) BrowserWindow.fromId(request.windowId)?.focus();
  const item = applicationMenu && findItem(applicationMenu, itemNamed(request.item));
  if (!item) throw new Error(`no application menu item ${request.item}`);
  item.click();
});
