// A labelled select over typed choices: the value read back is the choice's own (no casts where it is used), beside NumberField.
export interface Choice<T extends string | number> {
  value: T;
  label: string;
}

export interface ChoiceFieldProps<T extends string | number> {
  /** Shown before the select; empty in a table cell, where ariaLabel names it instead. */
  label: string;
  ariaLabel?: string;
  value: T;
  choices: readonly Choice<T>[];
  /** Spans the form grid's whole row. */
  wide?: boolean;
  disabled?: boolean;
  testId?: string;
  onChange: (value: T) => void;
}

export function ChoiceField<T extends string | number>({ label, ariaLabel, value, choices, wide = false, disabled = false, testId, onChange }: ChoiceFieldProps<T>) {
  return (
    <label className={wide ? 'wide' : undefined}>
      {label}
      <select
        data-testid={testId}
        aria-label={ariaLabel}
        value={String(value)}
        disabled={disabled}
        onChange={(e) => {
          const chosen = choices[e.target.selectedIndex] as Choice<T> | undefined;
          if (chosen) onChange(chosen.value);
        }}
      >
        {choices.map((choice) => (
          <option key={String(choice.value)} value={String(choice.value)}>
            {choice.label}
          </option>
        ))}
      </select>
    </label>
  );
}
