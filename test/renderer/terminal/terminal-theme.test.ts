import { describe, expect, it } from 'vitest';
import { SEARCH_DECORATIONS, TERMINAL_THEMES } from '../../../src/renderer/src/terminal/terminal-theme';

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((index) => {
      const channel = parseInt(hex.slice(index, index + 2), 16) / 255;
      return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

const TEXT_COLOURS = ['red', 'green', 'yellow', 'blue', 'magenta', 'cyan'] as const;

describe.each(['dark', 'light'] as const)('the %s terminal theme', (name) => {
  const theme = TERMINAL_THEMES[name];
  const background = theme.background ?? '';

  it('matches app.css --term-bg and --term-fg', () => {
    expect({ background, foreground: theme.foreground }).toEqual(
      name === 'dark'
        ? { background: '#0b0d11', foreground: '#d8dee9' }
        : { background: '#ffffff', foreground: '#1b1f27' },
    );
  });

  it('shows the foreground at 7:1 or better', () => {
    expect(contrast(theme.foreground ?? '', background)).toBeGreaterThanOrEqual(7);
  });

  it.each(TEXT_COLOURS.flatMap((colour) => [colour, `bright${colour[0].toUpperCase()}${colour.slice(1)}` as const]))(
    'shows %s text at 4.5:1 or better',
    (colour) => {
      const value = theme[colour as keyof typeof theme] as string;
      expect(contrast(value, background)).toBeGreaterThanOrEqual(4.5);
    },
  );

  it('shows dim (bright black) text at 3:1 or better', () => {
    expect(contrast(theme.brightBlack ?? '', background)).toBeGreaterThanOrEqual(3);
  });

  it('uses #RRGGBB search highlights, as xterm requires', () => {
    const decorations = SEARCH_DECORATIONS[name];
    expect(decorations.matchBackground).toMatch(/^#[0-9a-f]{6}$/i);
    expect(decorations.activeMatchBackground).toMatch(/^#[0-9a-f]{6}$/i);
  });
});
