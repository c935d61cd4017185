/** The content codings the hub can serve a static file in (precompressed at build time). */
export type ContentCoding = 'br' | 'gzip' | 'identity';

/** `q=` per RFC 9110 §12.4.2: 0 to 1, at most three decimals. */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Which of `offered` (in the server's order of preference) to send for an
 * `Accept-Encoding` header, per RFC 9110 §12.5.3: the coding with the highest
 * q-value above 0, `*` standing for every coding the header does not name,
 * `x-gzip` for `gzip`. Identity when no offered coding is accepted, or when
 * the header names identity with a higher q-value than every one that is; a
 * client that lists a coding at all (`gzip;q=0.1`) wants it over an
 * unnamed identity. Without the header, identity (what a client that sends
 * none, like curl, expects).
 *
 * An entry with a malformed q-value is ignored rather than guessed at, and
 * the parse is one linear pass (no backtracking), so a hostile header costs
 * no more than its length, which Node caps (`maxHeaderSize`, 16 KiB).
 */
export function negotiateContentCoding(
  header: string | undefined,
  offered: ReadonlyArray<Exclude<ContentCoding, 'identity'>>,
): ContentCoding {
  if (!header) return 'identity';
  const quality = new Map<string, number>();
  for (const entry of header.split(',')) {
    const [name = '', ...parameters] = entry.split(';');
    const coding = name.trim().toLowerCase();
    if (!coding) continue;
    let q = 1;
    let valid = true;
    for (const parameter of parameters) {
      const [key = '', value = ''] = parameter.split('=', 2);
      if (key.trim().toLowerCase() !== 'q') continue;
      const text = value.trim();
      if (QVALUE.test(text)) q = Number(text);
      else valid = false;
    }
    const key = coding === 'x-gzip' ? 'gzip' : coding;
    // The first mention of a coding counts, as for any repeated field member a recipient may not merge.
    if (valid && !quality.has(key)) quality.set(key, q);
  }
  const wildcard = quality.get('*');
  const qualityOf = (coding: string): number => quality.get(coding) ?? wildcard ?? 0;

  let best: ContentCoding = 'identity';
  let bestQuality = 0;
  for (const coding of offered) {
    const q = qualityOf(coding);
    if (q > bestQuality) {
      best = coding;
      bestQuality = q;
    }
  }
  // Identity ranks below every coding the client accepts, unless it names identity with a higher q.
  const identity = quality.get('identity') ?? 0;
  return bestQuality > 0 && bestQuality >= identity ? best : 'identity';
}
