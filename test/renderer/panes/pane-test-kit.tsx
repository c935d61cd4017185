import { vi } from 'vitest';
import type { BridgeSubscription, FalconBridge } from '../../../src/shared/bridge';
import type { SubscribeOptions } from '../../../src/shared/delivery';
import type { Channel } from '../../../src/shared/protocol';
import { createTestServices, fakeBridge } from '../board/harness';

export interface RecordedSubscription extends BridgeSubscription {
  channel: Channel;
  options: SubscribeOptions | undefined;
  setUrgent: ReturnType<typeof vi.fn<(urgent: boolean) => void>>;
  unsubscribe: ReturnType<typeof vi.fn<() => void>>;
}

/** Services over a bridge that records subscriptions; `detachable` adds openWindow (the desktop bridge has it). */
export function paneServices({ detachable = false } = {}) {
  const subscriptions: RecordedSubscription[] = [];
  const bridge: FalconBridge = {
    ...fakeBridge(),
    subscribe: vi.fn((channel: Channel, options?: SubscribeOptions) => {
      const subscription: RecordedSubscription = {
        channel,
        options,
        setUrgent: vi.fn<(urgent: boolean) => void>(),
        unsubscribe: vi.fn<() => void>(),
      };
      subscriptions.push(subscription);
      return subscription;
    }),
    openExternal: vi.fn(),
    writeClipboard: vi.fn(async () => undefined),
    ...(detachable ? { openWindow: vi.fn() } : {}),
  };
  return { services: createTestServices(bridge), bridge, subscriptions };
}
