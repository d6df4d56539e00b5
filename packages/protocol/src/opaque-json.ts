/**
 * Bounds for the opaque JSON fields the server hands to mediasoup
 * (rtpCapabilities, rtpParameters, dtlsParameters): the protocol does not
 * re-specify their insides, but it does cap how big, how wide and how deep
 * each may be, so no field costs more than its honest size to check, copy
 * or pass to the media worker.
 */
import { z } from 'zod';
import { MAX_JSON_DEPTH, MAX_OPAQUE_WIDTH } from './limits.js';

interface Bounds {
  /** Largest size as JSON text, in characters. */
  maxChars: number;
  /** Most keys in one object or items in one array. */
  maxWidth: number;
  /** Deepest nesting inside the field (the field itself is depth 1). */
  maxDepth: number;
}

/**
 * Walks a parsed JSON value and returns why it is out of bounds, or null.
 * The value came from JSON.parse of a depth-checked frame, so the recursion
 * is shallow; the character count is an estimate that never undercounts
 * strings and stops as soon as the limit is passed.
 */
export function opaqueProblem(value: unknown, bounds: Bounds): string | null {
  let chars = 0;
  const visit = (v: unknown, depth: number): string | null => {
    if (depth > bounds.maxDepth) return `nested deeper than ${bounds.maxDepth}`;
    if (typeof v === 'string') chars += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) chars += 8;
    else if (Array.isArray(v)) {
      if (v.length > bounds.maxWidth) return `an array has more than ${bounds.maxWidth} items`;
      chars += 2 + v.length;
      for (const item of v) {
        const p = visit(item, depth + 1);
        if (p) return p;
      }
    } else if (typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length > bounds.maxWidth) return `an object has more than ${bounds.maxWidth} keys`;
      chars += 2;
      for (const key of keys) {
        chars += key.length + 4;
        const p = visit((v as Record<string, unknown>)[key], depth + 1);
        if (p) return p;
      }
    } else {
      return 'not JSON';
    }
    return chars > bounds.maxChars ? `larger than ${bounds.maxChars} characters` : null;
  };
  return visit(value, 1);
}

/** An object whose fields mediasoup validates, bounded in size (`maxChars`), width and depth. */
export function boundedOpaqueObject(maxChars: number, maxWidth = MAX_OPAQUE_WIDTH, maxDepth = MAX_JSON_DEPTH - 3) {
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    const problem = opaqueProblem(value, { maxChars, maxWidth, maxDepth });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}
