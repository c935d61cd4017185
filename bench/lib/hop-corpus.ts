import { createRng, generateCorpus } from '../../src/server/demo/agent-output';

/** Realistic agent output cut the way a PTY hands it over: reads of 50 B to 4 KiB. */
export interface ChunkedCorpus {
  chunks: string[];
  /** UTF-8 bytes of the whole corpus: what MB/s figures count. */
  bytes: number;
  /** UTF-16 code units: what consumers can count cheaply (`line.length`). */
  chars: number;
}

const MIN_CHUNK = 50;
const MAX_CHUNK = 4096;

/**
 * `bytes` of `generateCorpus` output in chunks whose sizes are log-uniform
 * between 50 B and 4 KiB (most reads are small, a few fill the buffer). Same
 * seed, same chunks. Cuts never split a surrogate pair.
 */
export function corpusChunks(bytes: number, seed = 7): ChunkedCorpus {
  const text = generateCorpus(bytes, seed);
  const rng = createRng(seed ^ 0x5eed);
  const chunks: string[] = [];
  const logMin = Math.log(MIN_CHUNK);
  const logSpan = Math.log(MAX_CHUNK) - logMin;
  for (let at = 0; at < text.length;) {
    let end = Math.min(text.length, at + Math.round(Math.exp(logMin + rng() * logSpan)));
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end++;
    // A fresh flat string, as a PTY read decodes one: a slice would keep pointing into the whole corpus.
    chunks.push(Buffer.from(text.slice(at, end), 'utf8').toString('utf8'));
    at = end;
  }
  return { chunks, bytes: Buffer.byteLength(text, 'utf8'), chars: text.length };
}

/** Chunks from the start of a corpus that together hold at least `chars` characters (cycling if needed). */
export function takeChunks(corpus: ChunkedCorpus, chars: number): string[] {
  const taken: string[] = [];
  let size = 0;
  for (let i = 0; size < chars; i = (i + 1) % corpus.chunks.length) {
    taken.push(corpus.chunks[i]);
    size += corpus.chunks[i].length;
  }
  return taken;
}
