// tsconfig.web.json maps `node:*` here, so a renderer file importing a Node
// built-in fails to compile. Never part of a program unless imported.
export const forbidden: 'node built-ins cannot be imported in the browser runtime' = 'error';
