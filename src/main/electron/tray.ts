import { Menu, Tray, app, nativeImage } from 'electron';
import { join } from 'node:path';
import type { MenuItemModel, TrayAction, TrayState } from '../tray-model';

/**
 * The system tray: icon per connection state, attention count, and the menu
 * the tray model describes. Each part is handed to the OS only when it
 * changed: agents change status many times a minute, and rebuilding a native
 * menu that often flickers an open menu closed on some desktops.
 */
export class AppTray {
  private tray: Tray | null = null;
  private shown: { icon?: string; tooltip?: string; title?: string; menu?: string } = {};

  constructor(private readonly onAction: (action: TrayAction) => void) {}

  update(state: TrayState, menu: MenuItemModel[], enabled: boolean): void {
    if (!enabled) {
      this.destroy();
      return;
    }
    if (!this.tray) {
      this.tray = new Tray(icon(state.icon));
      this.shown = { icon: state.icon };
      // Windows (and Linux trays that report it): a left click shows the app; the menu is on right click.
      // macOS opens the menu on any click, so it gets no click handler.
      if (process.platform !== 'darwin') this.tray.on('click', () => this.onAction({ type: 'show' }));
    }
    if (this.shown.icon !== state.icon) this.tray.setImage(icon(state.icon));
    if (this.shown.tooltip !== state.tooltip) this.tray.setToolTip(state.tooltip);
    // macOS shows text beside the icon: the number of agents that need you.
    const title = state.attention > 0 ? String(state.attention) : '';
    if (process.platform === 'darwin' && this.shown.title !== title) this.tray.setTitle(title);
    const menuKey = JSON.stringify(menu);
    if (this.shown.menu !== menuKey) {
      this.tray.setContextMenu(Menu.buildFromTemplate(menu.map((item) => this.toElectron(item))));
    }
    this.shown = { icon: state.icon, tooltip: state.tooltip, title, menu: menuKey };
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = null;
    this.shown = {};
  }

  private toElectron(item: MenuItemModel): Electron.MenuItemConstructorOptions {
    if (item.type === 'separator') return { type: 'separator' };
    const action = item.action;
    return {
      id: item.id,
      label: item.label,
      type: item.type === 'checkbox' ? 'checkbox' : 'normal',
      checked: item.checked,
      enabled: item.enabled ?? true,
      click: action ? () => this.onAction(action) : undefined,
    };
  }
}

function icon(state: TrayState['icon']): Electron.NativeImage {
  const dir = join(app.getAppPath(), 'resources/tray');
  // macOS: a template image the system tints for light and dark menu bars.
  if (process.platform === 'darwin') {
    const image = nativeImage.createFromPath(join(dir, 'trayTemplate.png'));
    image.setTemplateImage(true);
    return image;
  }
  return nativeImage.createFromPath(join(dir, `${state}.png`));
}
