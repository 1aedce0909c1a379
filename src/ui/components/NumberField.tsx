// A labelled number input that only commits valid values (on blur or Enter), so typing "0." never resets a setting.
import { useState } from 'react';

export interface NumberFieldProps {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  integer?: boolean;
  disabled?: boolean;
  testId?: string;
  onChange: (value: number) => void;
}

export function NumberField({ label, value, min, max, step, integer = false, disabled = false, testId, onChange }: NumberFieldProps) {
  const [text, setText] = useState(String(value));
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    // The setting changed elsewhere: show the new value.
    setShown(value);
    setText(String(value));
  }
  const parsed = Number(text);
  const valid = text.trim() !== '' && Number.isFinite(parsed) && parsed >= min && parsed <= max && (!integer || Number.isInteger(parsed));
  const commit = () => {
    if (valid && parsed !== value) onChange(parsed);
    else if (!valid) setText(String(value));
  };
  return (
    <label>
      {label}
      <input
        type="number"
        inputMode={integer ? 'numeric' : 'decimal'}
        value={text}
        min={min}
        max={max}
        step={step}
        disabled={disabled}
        aria-invalid={!valid}
        title={valid ? undefined : `${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`}
        data-testid={testId}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
    </label>
  );
}
