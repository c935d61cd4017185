/**
 * The tab's icon with a count badge, as an SVG data URL (the page's CSP
 * allows `img-src data:`; no canvas, so it is the same at every pixel ratio).
 * The icon itself is index.html's: a rounded square with a triangle.
 */
const ICON = "<rect width='32' height='32' rx='6' fill='#6cb6ff'/><path d='M8 22 16 8l8 14z' fill='#0f1115'/>";
/** Red with a dark outline, so the badge stands out on light and dark tab strips alike. */
const BADGE_FILL = '#d1242f';
const BADGE_OUTLINE = '#0f1115';

/** The badge's text: the count up to 9, then "9+" (two characters are all a 16 px icon can hold). */
export function badgeText(count: number): string {
  return count > 9 ? '9+' : String(Math.max(0, Math.floor(count)));
}

/** The icon's SVG, with a badge showing `count` when it is above 0. */
export function faviconSvg(count: number): string {
  if (count <= 0) return `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>${ICON}</svg>`;
  const text = badgeText(count);
  const fontSize = text.length > 1 ? 13 : 17;
  return (
    `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>${ICON}` +
    `<circle cx='21' cy='11' r='10' fill='${BADGE_FILL}' stroke='${BADGE_OUTLINE}' stroke-width='1.5'/>` +
    `<text x='21' y='11' dy='0.36em' text-anchor='middle' font-family='Arial,Helvetica,sans-serif' ` +
    `font-weight='700' font-size='${fontSize}' fill='#fff'>${text}</text></svg>`
  );
}

/** `faviconSvg` as a data URL for a `<link rel="icon">`. */
export function faviconHref(count: number): string {
  return `data:image/svg+xml,${encodeURIComponent(faviconSvg(count))}`;
}

/** The tab title with the count in front, as mail and chat clients do: "(2) Falcon Monitor". */
export function titleWithCount(base: string, count: number): string {
  return count > 0 ? `(${count}) ${base}` : base;
}
