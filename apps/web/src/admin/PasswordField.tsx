/** A new-password field with show/hide and a generator, so admins hand out strong passwords. */
import { useId, useState } from 'react';

const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 16 characters from a 57-letter alphabet without look-alikes: about 93 bits. */
export function generatePassword(length = 16): string {
  const out: string[] = [];
  const bytes = new Uint8Array(1);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    const b = bytes[0]!;
    if (b < 256 - (256 % ALPHABET.length)) out.push(ALPHABET[b % ALPHABET.length]!);
  }
  return out.join('');
}

export interface PasswordFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId?: string;
  hint?: string;
  autoFocus?: boolean;
  /** Offers a Generate button (off where the password must also be typed again). */
  generate?: boolean;
}

export function PasswordField({ label, value, onChange, testId, hint, autoFocus, generate = true }: PasswordFieldProps) {
  const [visible, setVisible] = useState(false);
  const id = useId();
  const hintId = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="input-with-actions">
        <input
          id={id}
          data-testid={testId}
          type={visible ? 'text' : 'password'}
          value={value}
          autoComplete="new-password"
          spellCheck={false}
          autoFocus={autoFocus}
          maxLength={256}
          aria-describedby={hint ? hintId : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        <button
          type="button"
          className="button button--small button--quiet"
          aria-pressed={visible}
          aria-label={visible ? 'Hide password' : 'Show password'}
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? 'Hide' : 'Show'}
        </button>
        {generate && (
          <button
            type="button"
            className="button button--small button--quiet"
            aria-label="Generate a strong password"
            onClick={() => {
              onChange(generatePassword());
              setVisible(true);
            }}
          >
            Generate
          </button>
        )}
      </div>
      {hint && (
        <span id={hintId} className="field__hint">
          {hint}
        </span>
      )}
    </div>
  );
}
