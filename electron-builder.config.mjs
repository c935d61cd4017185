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
  files: ['out/main/**', 'out/preload/**', 'out/renderer/**', 'resources/**', 'package.json', '!**/*.map'],
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
    grantFileProtocolExtraPrivileges: false,
  },
  mac: {
    category: 'public.app-category.developer-tools',
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    hardenedRuntime: true,
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
  },
  deb: { depends: ['libnotify4', 'libsecret-1-0'] },
  // Updates are opt-in: with FALCON_UPDATE_URL set at build time, builds carry a
  // generic update feed that electron-updater checks (docs/release.md).
  publish: process.env.FALCON_UPDATE_URL ? [{ provider: 'generic', url: process.env.FALCON_UPDATE_URL }] : null,
};

export default config;
