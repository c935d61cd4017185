import { app } from 'electron';
import { autoUpdaterOf } from '../updater-export';

/**
 * Optional updates with electron-updater: off unless the build carries a
 * feed (FALCON_UPDATE_URL at build time → app-update.yml) and the app is
 * packaged. Loaded lazily so the dev build never touches it.
 */
export async function checkForUpdates(log: (message: string, error?: unknown) => void): Promise<void> {
  if (!app.isPackaged || process.env.FALCON_DISABLE_UPDATES) return;
  try {
    const autoUpdater = autoUpdaterOf(await import('electron-updater'));
    autoUpdater.autoDownload = true;
    await autoUpdater.checkForUpdatesAndNotify();
  } catch (error) {
    // No feed configured (no app-update.yml) or the feed is unreachable: not an error for the user.
    log('update check skipped', error);
  }
}
