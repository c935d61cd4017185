/**
 * The escape sequences the fake agent output uses. Kept to what real coding
 * agents and their tools print, so the demo exercises the same terminal paths.
 */

const CSI = '\x1b[';

export const sgr = {
  reset: `${CSI}0m`,
  bold: `${CSI}1m`,
  dim: `${CSI}2m`,
  italic: `${CSI}3m`,
  underline: `${CSI}4m`,
  inverse: `${CSI}7m`,
  red: `${CSI}31m`,
  green: `${CSI}32m`,
  yellow: `${CSI}33m`,
  blue: `${CSI}34m`,
  magenta: `${CSI}35m`,
  cyan: `${CSI}36m`,
  gray: `${CSI}90m`,
  boldRed: `${CSI}1;31m`,
  boldGreen: `${CSI}1;32m`,
  boldBlue: `${CSI}1;34m`,
  // 256-colour and truecolor appear in agent TUIs; include both so renderers meet them.
  orange: `${CSI}38;5;208m`,
  violet: `${CSI}38;2;175;135;255m`,
  failBadge: `${CSI}1;97;41m`,
  passBadge: `${CSI}1;30;42m`,
} as const;

export type Style = keyof typeof sgr;

/** Terminal line ending: the PTY's output post-processing turns `\n` into `\r\n`. */
export const NL = '\r\n';

/** Clears the current line; spinners print this after `\r` before their final text. */
export const ERASE_LINE = `${CSI}2K`;

export function paint(style: Style, text: string): string {
  return `${sgr[style]}${text}${sgr.reset}`;
}

/** OSC 8 hyperlink: `text` is shown, `url` is opened on click. */
export function hyperlink(url: string, text: string): string {
  return `\x1b]8;;${url}\x1b\\${text}\x1b]8;;\x1b\\`;
}

/** A shell prompt followed by the command, as an interactive bash would draw it. */
export function prompt(repo: string, branch: string, command: string): string {
  return `${paint('boldGreen', 'agent@falcon')}:${paint('boldBlue', `~/src/${repo}`)} ${paint('yellow', `(${branch})`)}$ ${command}${NL}`;
}

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
