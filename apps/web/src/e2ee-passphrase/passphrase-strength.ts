/**
 * The strength floor for meeting passphrases, checked in the browser before
 * anything is sent: on the join screen when the link carries no key, and in
 * the admin's create-room form when the admin picks a passphrase.
 *
 * A passphrase is only the password of CPace admission runs, so nobody can
 * test guesses offline; online, each guess is a run the members see fail,
 * and they allow 5 failures a minute. The floor keeps passphrases far out of
 * reach of that. The rule is short enough to say in one sentence, and needs
 * no dictionary (bundle size):
 *
 *   Accepted: at least 12 characters using at least 3 of the 4 kinds
 *   (lower-case letters, upper-case letters, digits, symbols), or at least
 *   20 characters of anything (several words, say).
 *
 * How characters are counted:
 *   - Code points after NFC normalisation (admission uses NFKC, which only
 *     folds further), with
 *     spaces at either end left out. Spaces inside count toward the length
 *     (words are separated by them) but are not a kind of their own.
 *   - Letters without case (中, ب, …) count as lower-case letters; a symbol
 *     is anything that is not a letter, a digit or white space.
 *   - Obvious runs count as one character: three or more of one character
 *     (`aaaa`), or three or more that step along the alphabet, the digits or
 *     a keyboard row in one direction (`abc`, `4321`, `qwerty`, `!@#$`),
 *     compared without case. Steps of two (`ab`, `er`) are ordinary text.
 *   - A text that only repeats itself (`abcabcabc`, `hello hello hello `)
 *     counts once.
 * So `aaaaaaaaaaaaaaaaaaaaaaaa` counts as 1 character and `Qwertyuiop1!`
 * as 3; both are refused.
 *
 * Pure: no DOM, no state, safe to call on every keystroke.
 */

export const PASSPHRASE_MIN_LENGTH = 12;
export const PASSPHRASE_MIN_KINDS = 3;
export const PASSPHRASE_LONG_LENGTH = 20;

export type CharacterKind = 'lower' | 'upper' | 'digit' | 'symbol';

const KIND_NAMES: Record<CharacterKind, string> = {
  lower: 'lower-case letters',
  upper: 'upper-case letters',
  digit: 'digits',
  symbol: 'symbols',
};
const KINDS: readonly CharacterKind[] = ['lower', 'upper', 'digit', 'symbol'];

export interface PassphraseStrength {
  /** Whether the passphrase meets the floor. */
  ok: boolean;
  /** Characters as counted (runs and repeats count once): what the length rule is checked against. */
  counted: number;
  /** Characters as typed (code points, trimmed). */
  typed: number;
  /** Which of the four kinds appear. */
  kinds: CharacterKind[];
  /** What is needed, in a sentence for the person typing; null when ok or empty. */
  problem: string | null;
}

/**
 * Sequences whose neighbours form an obvious run, in either direction. The
 * keyboard rows are QWERTY's, with QWERTZ's and AZERTY's rows that differ.
 */
const SEQUENCES: readonly string[] = [
  'abcdefghijklmnopqrstuvwxyz',
  '01234567890',
  'qwertyuiop',
  'asdfghjkl',
  'zxcvbnm',
  'qwertzuiop',
  'yxcvbnm',
  'azertyuiop',
  'qsdfghjklm',
  'wxcvbn',
  '!@#$%^&*()',
  '`1234567890-=',
];

function kindOf(ch: string): CharacterKind | null {
  if (/\s/u.test(ch)) return null;
  if (/\p{Lu}/u.test(ch)) return 'upper';
  if (/\p{L}/u.test(ch)) return 'lower';
  if (/\p{Nd}/u.test(ch)) return 'digit';
  return 'symbol';
}

/** Whether `a` then `b` is one step along some sequence in direction `dir` (±1). */
function stepsIn(a: string, b: string, dir: 1 | -1): boolean {
  return SEQUENCES.some((s) => {
    const i = s.indexOf(a);
    return i >= 0 && s[i + dir] === b;
  });
}

type Step = 'same' | 1 | -1;

/** The kinds of step from `a` to `b` (same character, forward, backward); usually none. */
function stepsBetween(a: string, b: string): Step[] {
  const out: Step[] = [];
  if (a === b) out.push('same');
  if (stepsIn(a, b, 1)) out.push(1);
  if (stepsIn(a, b, -1)) out.push(-1);
  return out;
}

/** The shortest prefix the text is made of by repetition (the whole text when it does not repeat). */
function repeatingUnit(chars: readonly string[]): readonly string[] {
  for (let period = 1; period <= chars.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < chars.length && repeats; i++) repeats = chars[i] === chars[i - period];
    if (repeats) return chars.slice(0, period);
  }
  return chars;
}

/**
 * Length with every run of 3 or more characters (one character repeated, or
 * steps along the sequences all in one direction) counted as one.
 */
function countedLength(chars: readonly string[]): number {
  const lower = chars.map((c) => c.toLowerCase());
  let counted = 0;
  let i = 0;
  while (i < lower.length) {
    // The longest run starting at i: steps all of one kind (the same character, or forward, or backward along the sequences).
    let end = i + 1;
    let steps: Step[] | null = null;
    while (end < lower.length) {
      const step = stepsBetween(lower[end - 1]!, lower[end]!);
      const still: Step[] = steps === null ? step : steps.filter((k) => step.includes(k));
      if (still.length === 0) break;
      steps = still;
      end++;
    }
    const runLength = end - i;
    counted += 1;
    i = runLength >= 3 ? end : i + 1;
  }
  return counted;
}

function list(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** Checks a passphrase against the floor described above. */
export function passphraseStrength(passphrase: string): PassphraseStrength {
  const chars = Array.from(passphrase.normalize('NFC').trim());
  const kinds = KINDS.filter((k) => chars.some((c) => kindOf(c) === k));
  const counted = countedLength(repeatingUnit(chars));
  const typed = chars.length;
  const base = { counted, typed, kinds };
  if (typed === 0) return { ...base, ok: false, problem: null };
  if (counted >= PASSPHRASE_LONG_LENGTH) return { ...base, ok: true, problem: null };
  if (counted >= PASSPHRASE_MIN_LENGTH && kinds.length >= PASSPHRASE_MIN_KINDS) return { ...base, ok: true, problem: null };

  const runs =
    counted < typed
      ? ` (${typed} typed; repeats and runs like “aaaa”, “abcd”, “1234” or “qwerty” count as one, which leaves ${counted})`
      : '';
  const missing = KINDS.filter((k) => !kinds.includes(k)).map((k) => KIND_NAMES[k]);
  const need = PASSPHRASE_MIN_KINDS - kinds.length;
  const problem =
    counted >= PASSPHRASE_MIN_LENGTH
      ? `Too weak: add ${need === 1 ? 'one' : need} more kind${need === 1 ? '' : 's'} of character (${list(missing)}), or make it at least ${PASSPHRASE_LONG_LENGTH} characters, such as several words${runs}.`
      : `Too weak: use at least ${PASSPHRASE_MIN_LENGTH} characters with ${PASSPHRASE_MIN_KINDS} of lower-case, upper-case, digits and symbols, or at least ${PASSPHRASE_LONG_LENGTH} characters, such as several words${runs || ` (${typed} so far)`}.`;
  return { ...base, ok: false, problem };
}
