import type { RelayDelivery } from '../../src/shared/relay-delivery';

/**
 * Messages between the relay-hop "main process" and its "renderer" child.
 * Output travels as Electron would carry it (structured clone): our relay's
 * `RelayDelivery[]` batches (output as one UTF-8 `Uint8Array` per channel per
 * flush, copied as Electron copies it), or the peers' concatenated strings.
 */
export type RendererControl =
  /** Build the corpus the direct variant writes. */
  | { ctl: 'prepare'; bytes: number }
  /** Zero the counters; strings arriving from now on start with `strip` characters of session id. */
  | { ctl: 'reset'; strip: number }
  /** Answer `done` once this many output characters have been written into the terminal. */
  | { ctl: 'expect'; chars: number }
  /** The direct variant: write the corpus straight into the terminal, in turns of `turnChars`. */
  | { ctl: 'direct'; bytes: number; turnChars: number };

export type ToRenderer = RelayDelivery[] | string | RendererControl;

export type FromRenderer =
  | { ctl: 'prepared'; chars: number }
  | {
      ctl: 'done';
      /** Wall clock when the last character was written. */
      at: number;
      /** Wall clock when the direct variant started writing. */
      startedAt?: number;
      chars: number;
      messages: number;
      cpuMs: number;
    };
