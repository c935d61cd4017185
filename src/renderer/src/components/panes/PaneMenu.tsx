import { rovingIndex } from '../../lib/roving-index';
import { type KeyboardEvent, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';

export interface PaneMenuItem {
  label: string;
  /** Shown after the label, e.g. "Alt+Z". */
  shortcut?: string;
  /** Set for a toggle: the item is a menuitemcheckbox. */
  checked?: boolean;
  onSelect(): void;
}

/**
 * A menu button (WAI-ARIA menu pattern) for a pane's less-used tools: Enter,
 * Space or ArrowDown opens it on the first item, ArrowUp on the last; arrows,
 * Home and End move; Enter or Space chooses; Escape closes and gives focus
 * back to the button; Tab or a click elsewhere closes it. The menu is fixed-
 * positioned so a short pane (which clips its content) does not cut it off.
 */
export function PaneMenu({ label, items }: { label: string; items: PaneMenuItem[] }) {
  const [open, setOpen] = useState<false | 'first' | 'last'>(false);
  const [position, setPosition] = useState<{ top?: number; bottom?: number; right: number }>({ right: 0 });
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const menuId = useId();

  useLayoutEffect(() => {
    const button = buttonRef.current;
    if (!open || !button) return;
    const rect = button.getBoundingClientRect();
    const right = Math.max(4, window.innerWidth - rect.right);
    // Open upwards when there is more room above (a pane at the bottom of the screen).
    setPosition(
      rect.bottom + 220 > window.innerHeight && rect.top > window.innerHeight - rect.bottom
        ? { bottom: window.innerHeight - rect.top + 2, right }
        : { top: rect.bottom + 2, right },
    );
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const menuItems = itemsOf(menuRef.current);
    (open === 'last' ? menuItems.at(-1) : menuItems[0])?.focus();
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    return () => document.removeEventListener('pointerdown', onPointerDown, true);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };

  const onButtonKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(event.key === 'ArrowUp' ? 'last' : 'first');
    }
  };

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const menuItems = itemsOf(menuRef.current);
    const current = menuItems.indexOf(document.activeElement as HTMLElement);
    const next = rovingIndex(event.key, current, menuItems.length, 'vertical');
    if (next !== null) {
      event.preventDefault();
      menuItems[next]?.focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if (event.key === 'Tab') close(false);
  };

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className="agent-pane-icon"
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open !== false}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? close(false) : setOpen('first'))}
        onKeyDown={onButtonKeyDown}
      >
        ⋯
      </button>
      {open ? (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label={label}
          className="pane-menu"
          style={position}
          onKeyDown={onMenuKeyDown}
        >
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role={item.checked === undefined ? 'menuitem' : 'menuitemcheckbox'}
              aria-checked={item.checked}
              className="pane-menu-item"
              tabIndex={-1}
              onClick={() => {
                close(false);
                item.onSelect();
              }}
            >
              <span className="pane-menu-check" aria-hidden="true">
                {item.checked ? '✓' : ''}
              </span>
              <span className="pane-menu-label">{item.label}</span>
              {item.shortcut ? <kbd className="pane-menu-shortcut">{item.shortcut}</kbd> : null}
            </button>
          ))}
        </div>
      ) : null}
    </>
  );
}

function itemsOf(menu: HTMLElement | null): HTMLElement[] {
  return menu ? [...menu.querySelectorAll<HTMLElement>('[role^="menuitem"]')] : [];
}
