/** Under a passphrase field: what the strength floor still needs (passphrase-strength.ts), or nothing. */
import type { PassphraseStrength } from './passphrase-strength.js';

export interface PassphraseWeakHintProps {
  strength: PassphraseStrength;
  /** For aria-describedby on the field. */
  id?: string;
  /** A sentence after the rule, for the context (e.g. who to ask for a stronger one). */
  extra?: string;
}

export function PassphraseWeakHint({ strength, id, extra }: PassphraseWeakHintProps) {
  if (!strength.problem) return null;
  return (
    <span id={id} className="field__hint field__hint--error" data-testid="passphrase-weak" aria-live="polite">
      {strength.problem}
      {extra ? ` ${extra}` : ''}
    </span>
  );
}
