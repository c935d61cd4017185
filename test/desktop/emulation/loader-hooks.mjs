/**
 * Node ESM loader hooks (https://nodejs.org/api/module.html#customization-hooks):
 * the bare specifier `electron` resolves to the emulation, for the built main
 * process only. Registered by ./register.ts through `module.register`.
 */
const emulation = new URL('./electron.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  // Through the next resolvers (tsx's), which make a .ts file loadable.
  if (specifier === 'electron') return next(emulation, context);
  return next(specifier, context);
}
