/**
 * The application menu as a template (no Electron at run time: only its
 * types), so what each build shows is tested under Node.
 */
import type { MenuItemConstructorOptions } from 'electron';

export function applicationMenuTemplate(options: {
  isMac: boolean;
  /** A packaged build has no DevTools item (and no Ctrl+Shift+I, which only that item binds). */
  packaged: boolean;
  about: () => void;
}): MenuItemConstructorOptions[] {
  return [
    ...(options.isMac ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        ...(options.packaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About Falcon Monitor', click: options.about }] },
  ];
}
