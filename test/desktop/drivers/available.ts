/**
 * Which drivers run here. FALCON_DESKTOP_DRIVER picks one: `emulation`,
 * `electron` (real Electron on `npm start`'s build) or `electron-packaged`
 * (the `electron-builder --dir` output); the desktop workflow sets the last
 * two, and under CI=true the one asked for must exist. Unset, every driver
 * whose prerequisites exist runs, and a missing one prints a visible notice
 * (a missing Chromium fails under CI=true, through chromiumPath()).
 */
import { chromiumPath } from '../../helpers/browser';
import type { DesktopDriver } from './driver';
import { EmulationDriver } from './emulated';
import { ElectronDriver, electronBinary, packagedBinary } from './electron';

const NAMES = ['emulation', 'electron', 'electron-packaged'];

export function availableDrivers(): { drivers: DesktopDriver[]; skipped: string[] } {
  const wanted = process.env.FALCON_DESKTOP_DRIVER;
  if (wanted !== undefined && !NAMES.includes(wanted))
    throw new Error(`FALCON_DESKTOP_DRIVER must be one of ${NAMES.join(', ')}, not ${wanted}`);
  const drivers: DesktopDriver[] = [];
  const skipped: string[] = [];
  const missing = (name: string, reason: string) => {
    if (wanted === name && process.env.CI === 'true')
      throw new Error(`${reason}: FALCON_DESKTOP_DRIVER=${name} requires it under CI`);
    skipped.push(`${name}: ${reason}`);
  };
  if (wanted === undefined || wanted === 'emulation') {
    const chromium = chromiumPath();
    if (chromium) drivers.push(new EmulationDriver(chromium));
    else missing('emulation', 'Chromium is not installed');
  }
  if (wanted === undefined || wanted === 'electron') {
    const binary = electronBinary();
    if (binary) drivers.push(new ElectronDriver({ kind: 'dev', binary }));
    else missing('electron', "Electron's binary is not installed (node_modules/electron has no dist/)");
  }
  if (wanted === undefined || wanted === 'electron-packaged') {
    const binary = packagedBinary();
    if (binary) drivers.push(new ElectronDriver({ kind: 'packaged', binary }));
    else missing('electron-packaged', 'no unpacked app under release/ (run `npx electron-builder --dir`)');
  }
  return { drivers, skipped };
}
