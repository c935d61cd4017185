// @vitest-environment happy-dom
import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ServicesContext } from '../../../src/renderer/src/services';
import { ShortcutsDialog } from '../../../src/renderer/src/components/shell/lazy-dialogs';
import { createTestServices, renderWith } from '../board/harness';

describe('lazily loaded dialogs', () => {
  afterEach(cleanup);

  it('render nothing until first opened, then load, open, and stay mounted once closed', async () => {
    const services = createTestServices();
    const closed = () => undefined;
    const view = renderWith(services, <ShortcutsDialog open={false} onClose={closed} />);
    expect(document.querySelector('dialog')).toBeNull();

    const rerender = (open: boolean) =>
      view.rerender(
        <ServicesContext.Provider value={services}>
          <ShortcutsDialog open={open} onClose={closed} />
        </ServicesContext.Provider>,
      );
    rerender(true);
    await waitFor(() => expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy());
    expect((document.querySelector('dialog') as HTMLDialogElement).open).toBe(true);

    rerender(false);
    const dialog = document.querySelector('dialog') as HTMLDialogElement;
    expect(dialog).not.toBeNull();
    expect(dialog.open).toBe(false);
    // Reopening needs no load: the same element opens at once.
    rerender(true);
    expect(document.querySelector('dialog')).toBe(dialog);
    expect(dialog.open).toBe(true);
  });
});
