/**
 * Answering an agent from its notification, decided without Electron: which
 * buttons and inline reply a "needs your input" notification offers on each
 * platform, what each one sends the hub (an `AgentInput` naming the question
 * it answers), and the follow-up notification that confirms the answer or
 * says why it failed. The Electron glue (./electron/notifier.ts) only shows
 * what this decides and reports which button was pressed or what was typed.
 */
import {
  type AgentInput,
  type InputOutcome,
  MAX_INPUT_TEXT_LENGTH,
  choiceInput,
  parseAgentInput,
} from '../shared/agent-input';
import type { FocusTarget } from '../shared/bridge';
import { matchesChannelGlobs } from '../shared/channel-glob';
import type { DesktopNotification } from '../shared/notification-policy';
import { type AgentState, channelOf, isValidId } from '../shared/protocol';

/**
 * Choice buttons per notification. macOS shows the first action as the
 * button and the others behind a menu, Windows fits at most five actions in a
 * toast (the reply's send button is one): three keeps every platform's toast
 * readable. A request with more choices is answered from the pane (a click).
 */
export const MAX_NOTIFICATION_BUTTONS = 3;
/** Longest button text (characters): toasts cut long labels anyway, mid-word. */
export const MAX_BUTTON_TEXT = 32;
/** Longest reply placeholder (the prompt, shortened to one line). */
export const MAX_REPLY_PLACEHOLDER = 80;
/** How much of an answer or a hub's message the confirmation repeats. */
const MAX_ECHO = 60;
const MAX_TITLE = 120;
const MAX_BODY = 200;

/**
 * Where notification actions work (Electron's `actions`, `hasReply`,
 * `replyPlaceholder` and the `action`/`reply` events are macOS and Windows
 * only: https://www.electronjs.org/docs/latest/api/notification). Elsewhere a
 * click opens the pane with its reply box focused.
 */
export function supportsNotificationActions(platform: string): boolean {
  return platform === 'darwin' || platform === 'win32';
}

export interface NotificationButton {
  text: string;
  /** What pressing it sends (its `requestId` names the question the notification showed). */
  input: AgentInput;
}

/** What a notification lets the user answer without opening a window. */
export interface NotificationAnswer {
  agentId: string;
  requestId?: string;
  buttons: NotificationButton[];
  /** An inline reply field (its placeholder), or null. */
  reply: { placeholder: string } | null;
}

export interface NotificationOffer {
  /** Buttons and reply on the notification itself; null when it offers none. */
  answer: NotificationAnswer | null;
  /** Where a click on the notification's body goes; null just shows the app. */
  click: FocusTarget | null;
}

/**
 * What a notification offers. Only an agent that waits for input now, whose
 * agent the token may act on (`actOn` covers `agent:<id>`; null, a hub that
 * does not say, counts as no) gets anything beyond a plain click: a button
 * that can only fail with `forbidden` is worse than none.
 */
export function notificationOffer(
  notification: DesktopNotification,
  agent: AgentState | undefined,
  actOn: readonly string[] | null,
  platform: string,
): NotificationOffer {
  const { target } = notification;
  const plain: NotificationOffer = { answer: null, click: target };
  if (notification.kind !== 'waiting_for_input' || target?.kind !== 'agent') return plain;
  if (!agent || agent.agentId !== target.id || agent.status !== 'waiting_for_input') return plain;
  if (actOn === null || !matchesChannelGlobs(actOn, channelOf.agent(target.id))) return plain;
  const click: FocusTarget = { ...target, reply: true };
  if (!supportsNotificationActions(platform)) return { answer: null, click };
  const requestId = agent.requestId !== undefined && isValidId(agent.requestId) ? agent.requestId : undefined;
  const buttons = choiceButtons(agent.choices, requestId);
  // The protocol always takes a reply, whatever the choices. Windows shows buttons and the reply
  // box together; macOS ignores action buttons on a notification with `hasReply` (Electron's
  // NotificationAction doc: "incompatible with hasReply"), so there a question with choices gets
  // its buttons, and one without gets the reply field (the pane has both).
  const reply = platform === 'darwin' && buttons.length > 0 ? null : { placeholder: replyPlaceholder(agent) };
  return {
    answer: {
      agentId: target.id,
      ...(requestId === undefined ? {} : { requestId }),
      buttons,
      reply,
    },
    click,
  };
}

function choiceButtons(choices: AgentState['choices'], requestId: string | undefined): NotificationButton[] {
  if (!Array.isArray(choices)) return [];
  const buttons: NotificationButton[] = [];
  const seen = new Set<string>();
  for (const choice of choices) {
    if (buttons.length >= MAX_NOTIFICATION_BUTTONS) break;
    if (typeof choice?.id !== 'string' || !isValidId(choice.id) || seen.has(choice.id)) continue;
    seen.add(choice.id);
    const label = typeof choice.label === 'string' ? oneLine(choice.label) : '';
    const input = choiceInput(
      { id: choice.id, label: typeof choice.label === 'string' ? choice.label : choice.id },
      requestId,
    );
    buttons.push({ text: shorten(label || choice.id, MAX_BUTTON_TEXT), input });
  }
  return buttons;
}

function replyPlaceholder(agent: AgentState): string {
  const prompt = oneLine(agent.prompt ?? agent.message ?? '');
  return prompt ? shorten(prompt, MAX_REPLY_PLACEHOLDER) : shorten(`Reply to ${agent.agentId}`, MAX_REPLY_PLACEHOLDER);
}

/** What the user did on a notification (the glue reports it). */
export type NotificationResponse = { kind: 'action'; index: number } | { kind: 'reply'; text: string };

export type ResolvedResponse =
  { ok: true; input: AgentInput; label: string } | { ok: false; code: 'invalid_input'; message: string };

/**
 * The input a response sends, and how the confirmation names it. A reply is
 * sent as typed (it may span lines) but must have text and fit
 * `MAX_INPUT_TEXT_LENGTH`: a longer one is refused here, never cut short.
 */
export function resolveResponse(answer: NotificationAnswer, response: NotificationResponse): ResolvedResponse {
  if (response.kind === 'action') {
    const button = Number.isInteger(response.index) ? answer.buttons[response.index] : undefined;
    if (!button) return { ok: false, code: 'invalid_input', message: `no action ${String(response.index)}` };
    return { ok: true, input: button.input, label: button.text };
  }
  if (answer.reply === null) return { ok: false, code: 'invalid_input', message: 'this notification takes no reply' };
  const text = typeof response.text === 'string' ? response.text : '';
  if (text.trim() === '') return { ok: false, code: 'invalid_input', message: 'the reply is empty' };
  if (text.length > MAX_INPUT_TEXT_LENGTH) {
    return {
      ok: false,
      code: 'invalid_input',
      message: `the reply is longer than ${MAX_INPUT_TEXT_LENGTH} characters; write it in the app`,
    };
  }
  const parsed = parseAgentInput({
    action: 'reply',
    text,
    ...(answer.requestId === undefined ? {} : { requestId: answer.requestId }),
  });
  if (!parsed.ok) return { ok: false, code: 'invalid_input', message: parsed.error.message };
  return { ok: true, input: parsed.input, label: shorten(oneLine(text), MAX_ECHO) };
}

/** Why an answer failed, in words for the confirmation (codes: docs/protocol.md, src/shared/agent-input.ts). */
function failureReason(code: string, message: string, answeredBy: string | null): string {
  switch (code) {
    case 'already_answered':
      return answeredBy ? `someone already answered (by ${oneLine(answeredBy)})` : 'someone already answered';
    case 'request_not_pending':
      return 'it is no longer waiting on this question';
    case 'forbidden':
      return 'your token may not answer this agent';
    case 'unknown_agent':
      return 'the hub does not know this agent';
    case 'input_rejected':
      return `refused: ${shorten(oneLine(message), MAX_ECHO)}`;
    case 'input_unavailable':
      return 'nothing on the hub takes answers now';
    case 'not_connected':
      return 'not connected to the hub; nothing was sent';
    case 'connection_lost':
      return 'the connection ended before the hub answered; the pane shows whether it arrived';
    case 'no_answer':
      return 'the hub did not answer in time; the pane shows whether it arrived';
    default:
      return shorten(oneLine(message) || code, MAX_ECHO);
  }
}

/**
 * The follow-up notification: "Answered opus-1: Yes", or "Could not answer
 * opus-1" with why. Quiet when it worked; a failure makes a sound (the agent
 * still waits). A click opens the agent's pane; showing it opens nothing.
 */
export function answerConfirmation(
  agentId: string,
  label: string,
  outcome: InputOutcome | { ok: false; code: string; message: string },
  answeredBy: string | null = null,
): DesktopNotification {
  const target = { kind: 'agent', id: agentId } as const;
  if (outcome.ok) {
    return {
      title: shorten(`Answered ${agentId}: ${label}`, MAX_TITLE),
      body: '',
      urgency: 'normal',
      kind: 'answer',
      target,
      silent: true,
    };
  }
  return {
    title: shorten(`Could not answer ${agentId}`, MAX_TITLE),
    body: shorten(failureReason(outcome.code, outcome.message, answeredBy), MAX_BODY),
    urgency: 'normal',
    kind: 'answer',
    target,
    silent: false,
  };
}

/** Who answered which request, as the hub's `input_sent` events said; the oldest are forgotten past this many. */
const MAX_REMEMBERED_ANSWERS = 500;

export interface NotificationAnswererOptions {
  sendInput(agentId: string, input: AgentInput): Promise<InputOutcome>;
  /** Shows the confirmation (it offers nothing but a click on the agent). */
  confirm(notification: DesktopNotification): void;
}

/**
 * Sends what a notification's button or reply asks, once per notification
 * (Windows can report one reply through two activation paths, and a second
 * press must not answer the next question), and confirms the outcome.
 */
export class NotificationAnswerer {
  private readonly responded = new WeakSet<NotificationAnswer>();
  /** `agentId requestId` → who answered it (insertion order is age). */
  private readonly answeredBy = new Map<string, string>();

  constructor(private readonly options: NotificationAnswererOptions) {}

  /** Resolves with the outcome, or null when this notification had already been answered. */
  async respond(answer: NotificationAnswer, response: NotificationResponse): Promise<InputOutcome | null> {
    if (this.responded.has(answer)) return null;
    this.responded.add(answer);
    const resolved = resolveResponse(answer, response);
    if (!resolved.ok) {
      // Nothing was sent: the notification may be answered again (a reply can be retyped).
      this.responded.delete(answer);
      this.options.confirm(answerConfirmation(answer.agentId, '', resolved));
      return { ok: false, code: 'invalid_input', message: resolved.message };
    }
    const outcome = await this.options.sendInput(answer.agentId, resolved.input);
    const by =
      answer.requestId === undefined ? null : (this.answeredBy.get(key(answer.agentId, answer.requestId)) ?? null);
    this.options.confirm(answerConfirmation(answer.agentId, resolved.label, outcome, by));
    return outcome;
  }

  /** Notes an `input_sent` the connection delivered, so "already answered" can say by whom. */
  noteAnswered(agentId: string, requestId: string | undefined, by: string): void {
    if (requestId === undefined) return;
    const entry = key(agentId, requestId);
    this.answeredBy.delete(entry);
    this.answeredBy.set(entry, by);
    if (this.answeredBy.size > MAX_REMEMBERED_ANSWERS) {
      this.answeredBy.delete(this.answeredBy.keys().next().value as string);
    }
  }
}

function key(agentId: string, requestId: string): string {
  return `${agentId} ${requestId}`;
}

/** One line of plain text: control and bidirectional-override characters become spaces. */
function oneLine(text: string): string {
  return text
    .replace(/[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** At most `max` characters (UTF-16 units), never splitting a surrogate pair, an ellipsis when cut. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}
