import type { ISearchOptions } from '@xterm/addon-search';
import type { ITheme } from '@xterm/xterm';

export type TerminalTheme = 'dark' | 'light';

/**
 * xterm palettes for the app's two themes. Background and foreground repeat
 * app.css's --term-bg / --term-fg (kept as constants rather than read from
 * computed style: a pane applies its theme in an effect that can run before the
 * app has switched [data-theme]). Every colour used for text (the six hues and
 * their bright variants) reaches 4.5:1 on the background; see terminal-theme.test.ts.
 */
export const TERMINAL_THEMES: Record<TerminalTheme, Readonly<ITheme>> = {
  dark: {
    background: '#0b0d11',
    foreground: '#d8dee9',
    cursor: '#6cb6ff',
    cursorAccent: '#0b0d11',
    selectionBackground: '#264f78',
    selectionInactiveBackground: '#1f3a57',
    scrollbarSliderBackground: 'rgba(163, 170, 184, 0.25)',
    scrollbarSliderHoverBackground: 'rgba(163, 170, 184, 0.45)',
    scrollbarSliderActiveBackground: 'rgba(163, 170, 184, 0.6)',
    overviewRulerBorder: '#343a46',
    black: '#484f58',
    red: '#ff7b72',
    green: '#3fb950',
    yellow: '#d29922',
    blue: '#58a6ff',
    magenta: '#bc8cff',
    cyan: '#39c5cf',
    white: '#b1bac4',
    brightBlack: '#7d8590',
    brightRed: '#ffa198',
    brightGreen: '#56d364',
    brightYellow: '#e3b341',
    brightBlue: '#79c0ff',
    brightMagenta: '#d2a8ff',
    brightCyan: '#56d4dd',
    brightWhite: '#f0f6fc',
  },
  light: {
    background: '#ffffff',
    foreground: '#1b1f27',
    cursor: '#0a58ca',
    cursorAccent: '#ffffff',
    selectionBackground: '#b6d7ff',
    selectionInactiveBackground: '#dbe9fb',
    scrollbarSliderBackground: 'rgba(79, 88, 104, 0.25)',
    scrollbarSliderHoverBackground: 'rgba(79, 88, 104, 0.45)',
    scrollbarSliderActiveBackground: 'rgba(79, 88, 104, 0.6)',
    overviewRulerBorder: '#c4cad4',
    black: '#24292f',
    red: '#cf222e',
    green: '#116329',
    yellow: '#7d4e00',
    blue: '#0969da',
    magenta: '#8250df',
    cyan: '#1b7c83',
    white: '#6e7781',
    brightBlack: '#57606a',
    brightRed: '#a40e26',
    brightGreen: '#1a7f37',
    brightYellow: '#633c01',
    brightBlue: '#0550ae',
    brightMagenta: '#6639ba',
    brightCyan: '#0e6b73',
    brightWhite: '#8c959f',
  },
};

/** Search highlight colours (xterm wants #RRGGBB backgrounds); the active match also gets a border. */
export const SEARCH_DECORATIONS: Record<TerminalTheme, NonNullable<ISearchOptions['decorations']>> = {
  dark: {
    matchBackground: '#4a3b0b',
    matchOverviewRuler: '#d29922',
    activeMatchBackground: '#7a5a00',
    activeMatchBorder: '#ffd866',
    activeMatchColorOverviewRuler: '#ffd866',
  },
  light: {
    matchBackground: '#fff1b8',
    matchOverviewRuler: '#bf8700',
    activeMatchBackground: '#ffd33d',
    activeMatchBorder: '#b35900',
    activeMatchColorOverviewRuler: '#b35900',
  },
};
