// @ts-check
/**
 * Packaged builds (docs/release.md): Linux AppImage and deb, macOS dmg (x64
 * and arm64), Windows NSIS. Run with `npm run dist` (current OS) or by the
 * release workflow. Signing and notarization are driven by the environment
 * (CSC_LINK, APPLE_ID, …) and happen only when those secrets exist.
 *
 * @type {import('electron-builder').Configuration}
 */
const config = {
  appId: 'dev.falcon-pm.monitor',
  productName: 'Falcon Monitor',
  copyright: 'Copyright © Falcon Monitor developers',
  directories: { output: 'release', buildResources: 'resources' },
  // Only what the app needs: the built main, preload and renderer, the tray
  // icons, and package.json. Production dependencies (ws, jose, pino, …) are
  // added by electron-builder; devDependencies never are (the renderer's React
  // and xterm are bundled into out/renderer, so they are devDependencies).
  files: [
    'out/main/**',
    'out/preload/**',
    'out/renderer/**',
    'resources/**',
    'package.json',
    '!**/*.map',
    // The web edition's precompressed copies (.br/.gz) are for the hub; the desktop reads the plain files.
    '!out/renderer/**/*.{br,gz}',
  ],
  asar: true,
  icon: 'resources/icon.png',
  extraMetadata: { main: 'out/main/index.js' },
  // Electron's fuses, flipped at package time (Electron security checklist).
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    // The renderer is served from app://falcon (src/main/electron/app-protocol.ts), never file://.
    grantFileProtocolExtraPrivileges: false,
    // Flipping fuses edits the binary and invalidates its signature; Apple Silicon kills an
    // unsigned-but-modified binary at launch. Re-sign ad hoc (a real identity, when
    // configured, signs over it afterwards).
    resetAdHocDarwinSignature: true,
  },
  mac: {
    category: 'public.app-category.developer-tools',
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    hardenedRuntime: true,
    // Notification buttons (answering an agent from its notification) show only for a signed app
    // whose notifications are alerts (Electron's NotificationAction doc, "Button support on macOS").
    extendInfo: { NSUserNotificationAlertStyle: 'alert' },
    // Notarizes when APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID are set.
    notarize: Boolean(process.env.APPLE_ID && process.env.APPLE_TEAM_ID),
  },
  dmg: { sign: false },
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    shortcutName: 'Falcon Monitor',
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    maintainer: 'Falcon Monitor developers',
    synopsis: 'Desktop monitor for falcon-pm coding agents',
    // The desktop file is named after package.json's desktopName, which Electron reports to the desktop.
    syncDesktopName: true,
  },
  // No deb.depends: electron-builder's defaults (libgtk-3-0, libnotify4, libnss3, libxss1,
  // libxtst6, xdg-utils, libatspi2.0-0, libuuid1, libsecret-1-0) are what Electron needs, and
  // setting the list replaces them rather than adding to it.
  // Updates are opt-in: with FALCON_UPDATE_URL set at build time, builds carry a
  // generic update feed that electron-updater checks (docs/release.md).
  publish: process.env.FALCON_UPDATE_URL ? [{ provider: 'generic', url: process.env.FALCON_UPDATE_URL }] : null,
};

export default config;
