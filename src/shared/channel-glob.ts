/**
 * The grammar of a token's channel patterns (`channels`, `actOn`): `*`
 * matches any run of characters, colons included, and a pattern matches the
 * whole channel: `project:a*` matches `project:a` and `project:admin`, not
 * `project:b`. Shared so the hub enforces and the monitor predicts the same
 * answer (the monitor disables what the hub would refuse).
 */
const globCache = new Map<string, RegExp>();

export function matchesChannelGlobs(patterns: readonly string[], channel: string): boolean {
  return patterns.some((pattern) => globToRegExp(pattern).test(channel));
}

function globToRegExp(pattern: string): RegExp {
  let regexp = globCache.get(pattern);
  // Stryker disable next-line ConditionalExpression: the cache only saves work; compiling again gives the same RegExp
  if (!regexp) {
    const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
    regexp = new RegExp(`^${source.join('.*')}$`);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: when the cache is emptied changes its size, not any answer
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, regexp);
  }
  return regexp;
}
