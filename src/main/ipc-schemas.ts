/**
 * Argument schemas for every renderer → main IPC channel in src/shared/ipc.ts.
 * The renderer is treated as untrusted (it renders agent output): main checks
 * each message's arguments here before acting on them, and only the parsed
 * copy, never the original object, reaches a handler.
 *
 * Error codes (`IpcArgsError.code`): `unknown_channel`, `invalid_args`.
 *
 * The other direction, main → renderer, carries what main built itself; its
 * one batch channel, `falcon:deliveries` (`RelayDelivery[]`, output as
 * `Uint8Array`), is checked where it enters the window, in the preload, by
 * `checkRelayBatch` (src/shared/relay-delivery.ts, code `invalid_batch`).
 */
import { z } from 'zod';
import { type AgentInput, parseAgentInput } from '../shared/agent-input';
import type { PaneTarget } from '../shared/bridge';
import type { InvokeChannels, SendChannels } from '../shared/ipc';
import { type Channel, MAX_HISTORY_EVENTS, isChannel, isValidId } from '../shared/protocol';
import { MAX_EXTERNAL_URL_LENGTH, isSafeExternalUrl } from './link-policy';
import { MAX_TOKEN_LENGTH, isTokenText, notificationsShape, serverUrlSchema } from './settings-store';

/** The arguments of each channel, as the preload sends them. */
export type IpcArgs = { [C in keyof SendChannels]: SendChannels[C] } & {
  [C in keyof InvokeChannels]: InvokeChannels[C]['args'];
};
export type IpcChannel = keyof IpcArgs;

/** A subscription id chosen by the renderer: 1–64 chars of [A-Za-z0-9_-]. */
const subscriptionId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid subscription id');
const channel = z.custom<Channel>(isChannel, 'invalid channel');
const entityId = z.string().max(128).refine(isValidId, { message: 'invalid id' });
const paneTarget: z.ZodType<PaneTarget> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('agent'), id: entityId }),
  z.strictObject({ kind: z.literal('issue'), id: entityId }),
]);
const subscribeOptions = z.strictObject({
  snapshot: z.boolean().optional(),
  tail: z.number().int().min(0).max(10_000).optional(),
  history: z.number().int().min(0).max(MAX_HISTORY_EVENTS).optional(),
  urgent: z.boolean().optional(),
});
const token = z
  .string()
  .min(1)
  .max(MAX_TOKEN_LENGTH)
  .refine(isTokenText, { message: 'a token is visible ASCII characters' });
const externalUrl = z
  .string()
  .max(MAX_EXTERNAL_URL_LENGTH)
  .refine((url) => isSafeExternalUrl(url) !== null, { message: 'only http(s) links without credentials open outside' });
const none = z.tuple([]);
/** The renderer's input, checked by the one input parser (the same the hub applies again). */
const agentInput = z.custom<AgentInput>((value) => parseAgentInput(value).ok, 'invalid agent input');
/** Longest text copied from a pane: a full 100 000-line scrollback of wide lines fits. */
export const MAX_COPY_TEXT = 32 * 1024 * 1024;

/**
 * One schema per channel. The annotation makes the compiler check each
 * schema's output against the contract, so a channel added to ipc.ts without
 * a schema here, or with a mismatched one, fails to compile.
 */
export const ipcArgSchemas: { readonly [C in IpcChannel]: z.ZodType<IpcArgs[C]> } = {
  'falcon:subscribe': z.tuple([subscriptionId, channel, subscribeOptions]),
  'falcon:unsubscribe': z.tuple([subscriptionId]),
  'falcon:set-urgent': z.tuple([subscriptionId, z.boolean()]),
  'falcon:retry-now': none,
  'falcon:open-external': z.tuple([externalUrl]),
  'falcon:open-window': z.tuple([paneTarget]),
  'falcon:viewing': z.tuple([paneTarget.nullable()]),
  'falcon:copy-text': z.tuple([z.string().max(MAX_COPY_TEXT)]),
  'falcon:hello': none,
  'falcon:get-server': none,
  'falcon:set-server': z.tuple([
    z.strictObject({
      url: serverUrlSchema,
      token: token.nullable().optional(),
      allowPlaintextToken: z.boolean().optional(),
    }),
  ]),
  'falcon:list-projects': none,
  'falcon:send-input': z.tuple([entityId, agentInput]),
  'falcon:get-notification-settings': none,
  // secureStorage is read-only (it describes the machine), so sending it is an error.
  'falcon:set-notification-settings': z.tuple([
    z.strictObject({ ...notificationsShape, trayEnabled: z.boolean() }).partial(),
  ]),
};

export type IpcArgsErrorCode = 'unknown_channel' | 'invalid_args';

export type IpcArgsResult<C extends IpcChannel> =
  { ok: true; args: IpcArgs[C] } | { ok: false; code: IpcArgsErrorCode; error: string };

/**
 * Checks `args` (the rest parameters of an IPC message) against `channel`'s
 * schema. Never throws. On success `args` is a fresh, typed copy; on failure
 * `error` names the channel, the argument path and the rule (at most 300
 * characters: an unknown key's name is quoted), never the value.
 */
export function validateIpcArgs<C extends IpcChannel>(channel: C, args: unknown): IpcArgsResult<C>;
export function validateIpcArgs(channel: string, args: unknown): IpcArgsResult<IpcChannel>;
export function validateIpcArgs(channel: string, args: unknown): IpcArgsResult<IpcChannel> {
  if (typeof channel !== 'string' || !Object.hasOwn(ipcArgSchemas, channel)) {
    return {
      ok: false,
      code: 'unknown_channel',
      error: `unknown IPC channel ${typeof channel === 'string' ? JSON.stringify(channel.slice(0, 64)) : typeof channel}`,
    };
  }
  const name = channel as IpcChannel;
  try {
    const result = ipcArgSchemas[name].safeParse(args);
    if (result.success) return { ok: true, args: result.data };
    const issue = result.error.issues[0];
    const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
    return { ok: false, code: 'invalid_args', error: `${name}: args${path}: ${issue.message}`.slice(0, 300) };
  } catch {
    // A hostile object (a throwing getter, a revoked proxy) cannot arrive over
    // structured clone, but a handler calling this directly must not crash either.
    return { ok: false, code: 'invalid_args', error: `${name}: arguments could not be read` };
  }
}
