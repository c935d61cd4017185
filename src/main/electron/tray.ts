import { Menu, Tray, app, nativeImage } from 'electron';
import { join } from 'node:path';
import type { MenuItemModel, TrayAction, TrayState } from '../tray-model';

/** The system tray: icon per connection state, attention count, and the menu the tray model describes. */
export class AppTray {
  private tray: Tray | null = null;

  constructor(private readonly onAction: (action: TrayAction) => void) {}

  update(state: TrayState, menu: MenuItemModel[], enabled: boolean): void {
    if (!enabled) {
      this.destroy();
      return;
    }
    this.tray ??= new Tray(icon(state.icon));
    this.tray.setImage(icon(state.icon));
    this.tray.setToolTip(state.tooltip);
    // macOS shows text beside the icon: the number of agents that need you.
    if (process.platform === 'darwin') this.tray.setTitle(state.attention > 0 ? String(state.attention) : '');
    this.tray.setContextMenu(Menu.buildFromTemplate(menu.map((item) => this.toElectron(item))));
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = null;
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
