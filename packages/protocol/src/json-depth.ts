/**
 * How deeply a JSON text nests, found by one pass over its characters before
 * anything parses it: `[[[[…` a hundred thousand deep would otherwise make
 * JSON.parse build (and every later walk recurse through) that many levels.
 * Brackets inside strings do not count; escapes inside strings are skipped.
 * The text need not be valid JSON: the scan only bounds what parsing it
 * would cost, and stops as soon as the limit is passed.
 */

/** True when no array or object in `text` nests deeper than `maxDepth`. Linear, never throws. */
export function jsonDepthWithin(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i += 1;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth += 1;
      if (depth > maxDepth) return false;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth -= 1;
    }
  }
  return true;
}
