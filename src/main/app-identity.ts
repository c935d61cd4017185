/**
 * The app's identity, shared by main and the packaging config (a test checks
 * they agree): Windows matches toasts to the Start-menu shortcut by this id
 * (`app.setAppUserModelId`), and electron-builder writes it into the shortcut.
 */
export const APP_ID = 'dev.falcon-pm.monitor';
export const APP_NAME = 'Falcon Monitor';
