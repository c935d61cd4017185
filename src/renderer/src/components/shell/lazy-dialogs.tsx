import { type ComponentType, Suspense, lazy, useState } from 'react';

interface DialogProps {
  open: boolean;
  onClose: () => void;
}

/**
 * A dialog whose code is fetched the first time it opens, not at start: the
 * board paints without it. Until then nothing is rendered (a closed dialog
 * shows nothing anyway); once opened it stays mounted like any other dialog,
 * so closing and reopening it is instant.
 */
function lazyDialog(load: () => Promise<ComponentType<DialogProps>>): ComponentType<DialogProps> {
  const View = lazy(async () => ({ default: await load() }));
  return function LazyDialog(props: DialogProps) {
    const [opened, setOpened] = useState(props.open);
    if (props.open && !opened) setOpened(true);
    if (!opened) return null;
    return (
      <Suspense fallback={null}>
        <View {...props} />
      </Suspense>
    );
  };
}

/** Server, token, notifications, theme and scrollback (components/shell/SettingsDialog.tsx). */
export const SettingsDialog = lazyDialog(async () => (await import('./SettingsDialog')).SettingsDialog);

/** The keyboard shortcuts, on `?` (components/shell/ShortcutsDialog.tsx). */
export const ShortcutsDialog = lazyDialog(async () => (await import('./ShortcutsDialog')).ShortcutsDialog);
