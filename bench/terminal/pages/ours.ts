/**
 * Our terminal path: TerminalViews (DOM renderer) fed through `write()`, the
 * flow-controlled WriteQueue the OutputRouter writes to in the app, sharing
 * the page's one FrameBudget as the app's panes do.
 */
import '@xterm/xterm/css/xterm.css';
import { FrameBudget } from '../../../src/renderer/src/terminal/frame-budget';
import { TerminalView } from '../../../src/renderer/src/terminal/terminal-view';
import { installHarness } from './harness';

// Diagnostics only (the scenarios run the app's defaults): `?maxChunkChars=…&maxInFlight=…` tries other
// flow-control limits, `?budgetMs=…&frameMs=…&focusedShare=…` another frame budget.
const query = new URLSearchParams(location.search);
const numberParam = (name: string) => (query.has(name) ? Number(query.get(name)) : undefined);
const budgetParams = ['budgetMs', 'frameMs', 'focusedShare', 'pipeline'] as const;
const frameBudget = budgetParams.some((name) => query.has(name))
  ? new FrameBudget(Object.fromEntries(budgetParams.map((name) => [name, numberParam(name)])))
  : undefined;

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
      frameBudget,
    });
    view.mount(container);
    // The app's grid: one focused pane, the others visible and unfocused (AgentPane tells the view the same).
    if (index === layout.focused) {
      view.setFocused(true);
      view.focus();
    }
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
