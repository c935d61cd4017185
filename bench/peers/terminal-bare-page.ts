/**
 * The peer for the terminal benchmarks: bare xterm.js terminals (DOM renderer)
 * fed with plain `term.write(chunk)` as fast as the data comes, as a naive app
 * would: no flow control, no queue of its own.
 */
import '@xterm/xterm/css/xterm.css';
import { Terminal } from '@xterm/xterm';
import { installHarness } from '../terminal/pages/harness';

// TerminalView's font stack and size: glyph size sets how much the DOM renderer draws.
const FONT_FAMILY = 'ui-monospace, SFMono-Regular, "Cascadia Mono", Menlo, Consolas, "Liberation Mono", monospace';

installHarness({
  fixedSize: true,
  create(container, layout, index) {
    const term = new Terminal({
      cols: layout.cols,
      rows: layout.rows,
      scrollback: layout.scrollback,
      fontFamily: FONT_FAMILY,
      fontSize: 13,
      convertEol: true,
      disableStdin: true,
    });
    term.open(container);
    if (index === layout.focused) term.focus();
    return {
      write: (text) => term.write(text),
      backlog: 0,
      get cols() {
        return term.cols;
      },
      get rows() {
        return term.rows;
      },
      // xterm calls back in write order: an empty write's callback means all before it was parsed.
      idle: () => new Promise<void>((resolve) => term.write('', resolve)),
    };
  },
});
