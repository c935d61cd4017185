// tsconfig.web.json and tsconfig.server.json map `electron` here, so importing
// it from the renderer, the hub, the client core or the CLI fails to compile.
// This file is never part of a program unless something imports it.
export const forbidden: 'electron cannot be imported in this runtime: use the bridge (renderer) or keep it in src/main' =
  'error';
