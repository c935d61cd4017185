/**
 * The app's identity, shared by main and the packaging config (a test checks
 * they agree): Windows matches toasts to the Start-menu shortcut by this id
 * (`app.setAppUserModelId`), and electron-builder writes it into the shortcut.
 */
export const APP_ID = 'dev.falcon-pm.monitor';
export const APP_NAME = 'Falcon Monitor';
/**
 * The Windows toast activator's COM class id (`app.setToastActivatorCLSID`):
 * fixed, so a toast shown by one run can still be activated after a restart,
 * and so the installer can write the same id into its shortcut.
 */
export const TOAST_ACTIVATOR_CLSID = '{6F0B3C1E-8A4D-4E6B-9C2F-5D7A1B3E9F40}';
