// First: configures zod before any module below builds a schema (see the file).
import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { FalconBridge } from '../../shared/bridge';
import type { FalconPreloadApi } from '../../shared/ipc';
import { App } from './App';
import { DirectBridge } from './bridge/direct-bridge';
import { IpcBridge } from './bridge/ipc-bridge';
import { ServicesContext, createServices } from './services';
import './app.css';
import './scrollbars.css';

declare global {
  interface Window {
    /** Present in the desktop app (from the preload); absent in the web edition. */
    falcon?: FalconPreloadApi;
  }
}

async function chooseBridge(): Promise<FalconBridge> {
  if (window.falcon) return IpcBridge.connect(window.falcon);
  const bridge = new DirectBridge({ location: window.location, storage: window.localStorage });
  // The token came in the fragment: keep it out of the address bar, history and screenshots.
  if (DirectBridge.hasFragmentToken(window.location.hash)) {
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  // A new `#token=` link pasted into this open tab (a restarted `falcon hub --demo` signs with a
  // new secret): keep the token, take it out of the address bar, and start over with it.
  window.addEventListener('hashchange', () => {
    if (!DirectBridge.storeFragmentToken(window.location.hash, window.localStorage)) return;
    history.replaceState(null, '', window.location.pathname + window.location.search);
    window.location.reload();
  });
  return bridge;
}

void chooseBridge().then((bridge) => {
  const services = createServices(bridge);
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <ServicesContext.Provider value={services}>
        <App />
      </ServicesContext.Provider>
    </StrictMode>,
  );
});
