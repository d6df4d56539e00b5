/** An on/off setting: a real checkbox (so forms, keyboards and screen readers know it) drawn as a switch. */
import { useId } from 'react';

export interface SwitchProps {
  label: string;
  hint?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId?: string;
}

export function Switch({ label, hint, checked, onChange, testId }: SwitchProps) {
  const hintId = useId();
  return (
    <label className="switch-field">
      <span className="switch-field__text">
        <span className="switch-field__label">{label}</span>
        {hint && (
          <span id={hintId} className="field__hint">
            {hint}
          </span>
        )}
      </span>
      <input
        type="checkbox"
        role="switch"
        className="switch"
        data-testid={testId}
        checked={checked}
        aria-describedby={hint ? hintId : undefined}
        onChange={(e) => onChange(e.target.checked)}
      />
    </label>
  );
}
