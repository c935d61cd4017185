/* global document */
/**
 * One end of the bridge between a page's main world and the preload's
 * isolated world, evaluated in both (as an expression). The two worlds share
 * only the DOM, so they talk through synchronous CustomEvents on `document`
 * whose detail is a string (objects do not cross worlds). Values are copied;
 * functions and promises become handles the other end calls or awaits, as
 * https://www.electronjs.org/docs/latest/api/context-bridge describes
 * ("Parameter / Error / Return Type support"). Test-only, never shipped.
 */
// An expression: the injection prefixes it with `const createWorldBridge = `.
// eslint-disable-next-line @typescript-eslint/no-unused-expressions
(function createWorldBridge(outType, inType) {
  const local = new Map();
  const settlers = new Map();
  const replies = [];
  const handlers = {};
  let nextHandle = 0;

  function encode(value) {
    if (typeof value === 'function') {
      const id = ++nextHandle;
      local.set(id, value);
      return { f: id };
    }
    if (value instanceof Promise) {
      const id = ++nextHandle;
      value.then(
        (result) => post({ kind: 'settle', id, ok: true, value: encode(result) }),
        (error) =>
          post({
            kind: 'settle',
            id,
            ok: false,
            value: encode(String(error && error.message ? error.message : error)),
          }),
      );
      return { p: id };
    }
    if (value === undefined) return { u: 1 };
    if (value instanceof Error) return { e: value.message };
    // contextBridge copies typed arrays as typed arrays; JSON cannot, so a Uint8Array crosses as base64.
    if (value instanceof Uint8Array) {
      let binary = '';
      for (let i = 0; i < value.length; i += 0x8000) {
        binary += String.fromCharCode.apply(null, value.subarray(i, i + 0x8000));
      }
      return { b: btoa(binary) };
    }
    if (Array.isArray(value)) return { a: value.map(encode) };
    if (value !== null && typeof value === 'object') {
      const o = {};
      for (const key of Object.keys(value)) o[key] = encode(value[key]);
      return { o };
    }
    return { v: value };
  }

  function decode(value) {
    if ('f' in value) return (...args) => call(value.f, args);
    if ('p' in value) return new Promise((resolve, reject) => settlers.set(value.p, { resolve, reject }));
    if ('u' in value) return undefined;
    if ('e' in value) return new Error(value.e);
    if ('b' in value) {
      const binary = atob(value.b);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return bytes;
    }
    if ('a' in value) return value.a.map(decode);
    if ('o' in value) {
      const o = {};
      for (const key of Object.keys(value.o)) o[key] = decode(value.o[key]);
      return o;
    }
    return value.v;
  }

  function post(message) {
    document.dispatchEvent(new CustomEvent(outType, { detail: JSON.stringify(message) }));
  }

  function call(id, args) {
    replies.push(null);
    post({ kind: 'call', id, args: args.map(encode) });
    const reply = replies.pop();
    if (!reply) throw new Error('The other world is gone (the page navigated)');
    if (!reply.ok) throw new Error(reply.error);
    return decode(reply.value);
  }

  document.addEventListener(inType, (event) => {
    const message = JSON.parse(event.detail);
    if (message.kind === 'call') {
      const fn = local.get(message.id);
      let reply;
      try {
        if (!fn) throw new Error('a released function was called');
        reply = { kind: 'reply', ok: true, value: encode(fn(...message.args.map(decode))) };
      } catch (error) {
        reply = { kind: 'reply', ok: false, error: String(error && error.message ? error.message : error) };
      }
      post(reply);
    } else if (message.kind === 'reply') {
      replies[replies.length - 1] = message;
    } else if (message.kind === 'settle') {
      const settler = settlers.get(message.id);
      settlers.delete(message.id);
      if (!settler) return;
      const value = decode(message.value);
      if (message.ok) settler.resolve(value);
      else settler.reject(new Error(value));
    } else if (handlers[message.kind]) {
      handlers[message.kind](message);
    }
  });

  return { encode, decode, post, handlers };
});
