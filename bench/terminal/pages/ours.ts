/**
 * Our terminal path: TerminalViews (DOM renderer) fed through `write()`, the
 * flow-controlled WriteQueue the OutputRouter writes to in the app.
 */
import '@xterm/xterm/css/xterm.css';
import { TerminalView } from '../../../src/renderer/src/terminal/terminal-view';
import { installHarness } from './harness';

// Diagnostics only (the scenarios run the app's defaults): `?maxChunkChars=…&maxInFlight=…` tries other flow-control limits.
const query = new URLSearchParams(location.search);
const numberParam = (name: string) => (query.has(name) ? Number(query.get(name)) : undefined);

installHarness({
  fixedSize: false,
  create(container, layout, index) {
    const view = new TerminalView({
      scrollback: layout.scrollback,
      theme: 'dark',
      openLink: () => {},
      renderer: 'dom',
      maxChunkChars: numberParam('maxChunkChars'),
      maxInFlight: numberParam('maxInFlight'),
    });
    view.mount(container);
    // The app's grid: one focused pane, the others visible and unfocused.
    if (index === layout.focused) view.focus();
    return {
      write: (text) => view.write(text),
      get backlog() {
        return view.pendingChars;
      },
      get cols() {
        return view.cols;
      },
      get rows() {
        return view.rows;
      },
      idle: () => view.whenIdle(),
    };
  },
});
