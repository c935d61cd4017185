/**
 * What an agent asks comes off the network: its prompt and choice labels are
 * shown as text (React never parses them as markup), but characters that
 * would act rather than read are taken out of what is shown. What is sent is
 * never changed (a choice's reply text is its label as the agent wrote it).
 * - C0/C1 controls (a terminal escape, a bell, a backspace) show as nothing
 *   useful or as boxes; newlines and tabs stay in a prompt.
 * - Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
 *   could make a label read backwards ("‮Deny" shown as "ynеD"), or a prompt
 *   spoof what follows. Right-to-left text itself still shows right: the
 *   browser's bidi algorithm does not need them, and answer.css isolates each
 *   prompt and label (unicode-bidi: plaintext).
 */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const ACTING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** A prompt as shown: line breaks and tabs kept, every other control and bidi override removed. */
export function shownPrompt(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(ACTING, '');
}

/** A one-line text as shown (a choice label, a hub's message): controls removed, runs of white space one space. */
export function shownLine(text: string): string {
  return text.replace(ACTING, '').replace(/\s+/g, ' ').trim();
}
