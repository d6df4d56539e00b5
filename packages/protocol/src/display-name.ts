/**
 * Display names as both ends agree on them. A name is shown on tiles, in the
 * participant list, in chat, in "Ada joined" and in the host's lobby panel,
 * next to the marks the client adds itself ("(you)", the host badge). So a
 * name may not carry what could make it lie about itself or about the text
 * around it:
 *
 * - control characters, and every Unicode "format" character (bidi
 *   embeddings, overrides and isolates, LRM/RLM, zero-width space/joiners,
 *   soft hyphen, BOM, tag characters), plus line/paragraph separators and
 *   the invisible Hangul fillers: all removed;
 * - runs of white space: one space; the ends trimmed; NFC-normalized;
 * - a trailing role mark such as "(host)", "[admin]", "（you）" or
 *   "- guest": removed, as often as it repeats, compared after NFKC and
 *   case folding so full-width or styled look-alikes go too.
 *
 * The server applies it in the join schema (DisplayName); the client applies
 * the same function to its own name before joining, so what it shows for
 * itself is what others see.
 */

/** Words the interface puts after names, or that a name could use to pose as staff. */
export const ROLE_WORDS = [
  'host',
  'you',
  'guest',
  'admin',
  'administrator',
  'moderator',
  'owner',
  'organizer',
  'organiser',
  'system',
  'server',
];

/** Control, format, separator and filler characters: removed outright. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0\u2800]/gu;
/** Any run of white space (including NBSP, ideographic and other Zs spaces). */
const SPACES = /[\s\p{Zs}]+/gu;
const ROLE_SUFFIX = new RegExp(
  `(?:[([{<]\\s*(?:${ROLE_WORDS.join('|')})\\s*[)\\]}>]?|(?:\\s[-–—]|[:|·•,])\\s*(?:${ROLE_WORDS.join('|')}))\\s*$`,
  'u',
);

/** Strips a role mark off the end of `name` once; null when there is none. */
function withoutRoleSuffix(name: string): string | null {
  // Compare on a folded copy (full-width parentheses, 𝐡𝐨𝐬𝐭, ＨＯＳＴ…), cut the original at the same place:
  // NFKC and lower-casing may change lengths, so map by folding each character separately.
  const chars = [...name];
  const folded = chars.map((c) => c.normalize('NFKC').toLowerCase());
  const match = ROLE_SUFFIX.exec(folded.join(''));
  if (!match) return null;
  const cut = match.index;
  let at = 0;
  for (let i = 0; i < chars.length; i++) {
    if (at >= cut) return chars.slice(0, i).join('');
    at += folded[i]!.length;
  }
  return '';
}

/** The name as it will be shown: clean, normalized, with no role mark at its end. May be empty. */
export function cleanDisplayName(raw: string): string {
  let name = raw.normalize('NFC').replace(INVISIBLE, '').replace(SPACES, ' ').trim();
  for (let i = 0; i < 8; i++) {
    const stripped = withoutRoleSuffix(name);
    if (stripped === null) break;
    name = stripped.trim();
  }
  return name;
}
