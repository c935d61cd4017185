import { type KeyboardEvent, type PointerEvent, useRef } from 'react';

/** How far one arrow press moves the splitter (a share of the split height), and Shift + arrow. */
export const SPLITTER_STEP = 0.05;
export const SPLITTER_BIG_STEP = 0.2;

export interface SplitterProps {
  /** The share (0…1) of the split height given to the part above the splitter. */
  value: number;
  min: number;
  max: number;
  /** Id of the part above, whose size the splitter sets. */
  controls: string;
  label: string;
  onChange(value: number): void;
  /** Enter, or a double click: back to where it starts. */
  onReset(): void;
}

/**
 * A horizontal window splitter (WAI-ARIA `separator`, focusable): drag it,
 * or focus it and press Up/Down (Shift for bigger steps), Home/End for the
 * smallest/largest board, Enter to reset; a double click also resets. The
 * value is a share of its parent's height, so the parent must hold just the
 * two parts and the splitter.
 */
export function Splitter({ value, min, max, controls, label, onChange, onReset }: SplitterProps) {
  const ref = useRef<HTMLDivElement>(null);
  const frame = useRef(0);

  const moveTo = (clientY: number) => {
    const parent = ref.current?.parentElement;
    if (!parent) return;
    const box = parent.getBoundingClientRect();
    const handle = ref.current?.offsetHeight ?? 0;
    const usable = box.height - handle;
    if (usable <= 0) return;
    onChange(clamp((clientY - box.top - handle / 2) / usable, min, max));
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.focus();
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (!event.currentTarget.hasPointerCapture(event.pointerId)) return;
    const y = event.clientY;
    // One layout per frame: every move resizes the terminals below.
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => moveTo(y));
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    if (!event.currentTarget.hasPointerCapture(event.pointerId)) return;
    event.currentTarget.releasePointerCapture(event.pointerId);
    cancelAnimationFrame(frame.current);
    moveTo(event.clientY);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const step = event.shiftKey ? SPLITTER_BIG_STEP : SPLITTER_STEP;
    const next: Record<string, () => void> = {
      ArrowUp: () => onChange(clamp(value - step, min, max)),
      ArrowDown: () => onChange(clamp(value + step, min, max)),
      Home: () => onChange(min),
      End: () => onChange(max),
      Enter: onReset,
    };
    const action = Object.hasOwn(next, event.key) ? next[event.key] : undefined;
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    action();
  };

  const percent = (share: number) => Math.round(share * 100);
  return (
    <div
      ref={ref}
      className="splitter"
      role="separator"
      tabIndex={0}
      aria-orientation="horizontal"
      aria-label={label}
      aria-controls={controls}
      aria-valuenow={percent(value)}
      aria-valuemin={percent(min)}
      aria-valuemax={percent(max)}
      aria-valuetext={`Board ${percent(value)}% of the height`}
      title="Drag, or focus and press ↑/↓, Home/End; Enter or double-click resets"
      data-testid="splitter"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onLostPointerCapture={() => cancelAnimationFrame(frame.current)}
      onDoubleClick={onReset}
      onKeyDown={onKeyDown}
    />
  );
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
