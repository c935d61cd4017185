export type WebglSupport = 'hardware' | 'software' | 'none';

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software|basic render driver|mesa offscreen/i;

/** Whether a WebGL renderer string names a CPU rasteriser (slower than xterm's DOM renderer for text). */
export function isSoftwareRenderer(name: string): boolean {
  return SOFTWARE_RENDERERS.test(name);
}

let cached: WebglSupport | undefined;

/**
 * Probes WebGL 2 once per page with a throwaway canvas. On a machine without a
 * GPU, Chromium may still offer WebGL through SwiftShader; xterm's WebGL
 * renderer on it costs more CPU than the DOM renderer, so 'auto' skips it.
 */
export function webglSupport(): WebglSupport {
  cached ??= probe();
  return cached;
}

function probe(): WebglSupport {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return 'none';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    // Give the context back now: browsers cap live WebGL contexts (16 in Chromium).
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return isSoftwareRenderer(name) ? 'software' : 'hardware';
  } catch {
    return 'none';
  }
}
