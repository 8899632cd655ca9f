// A text field that turns what is typed into chips: Space, Comma or Enter ends one, a pasted
// list becomes several, Backspace in the empty field takes the last one back into the field.
// Each chip is checked as it is made (`check`), and a problem is shown on the chip and read out
// with it. Chips are list items with their own remove button, so everything works by keyboard.
import { useId, useImperativeHandle, useState, type ClipboardEvent, type KeyboardEvent, type Ref } from 'react';
import './chips.css';

export interface ChipInputHandle {
  flush(): Chip[];
}

export interface Chip {
  value: string;
  /** Why it will not be accepted (shown on the chip), or null. */
  problem: string | null;
}

interface ChipInputProps {
  label: string;
  chips: Chip[];
  onChange(chips: Chip[]): void;
  /** The problem with one value, or null (also run again when `chips` are re-checked by the caller). */
  check(value: string): string | null;
  /** Makes a typed value canonical (lower-cased emails, trimmed words). */
  normalize?(value: string): string;
  /** What may be typed, when it is not obvious (shown under the field). */
  hint?: string;
  /** A problem with the whole field (shown under it). */
  error?: string | null;
  placeholder?: string;
  /** Suggestions offered while typing (a datalist): value and what is shown beside it. */
  suggestions?: { value: string; label: string }[];
  /** What one chip is called in spoken text ("email", "tag"). */
  noun?: string;
  /** `flush()` adds what is still typed in the field and returns every chip (call it on submit). */
  ref?: Ref<ChipInputHandle>;
  disabled?: boolean;
  /** Whether Space ends a chip (emails, domains); off for words that may hold spaces (tags). */
  spaceSeparates?: boolean;
}

const plural = (n: number, noun: string) => (n === 1 ? noun : /(s|sh|ch|x)$/.test(noun) ? `${noun}es` : `${noun}s`);

const WITH_SPACE = { keys: new Set([' ', ',', 'Enter']), split: /[\s,;]+/ };
const WITHOUT_SPACE = { keys: new Set([',', 'Enter']), split: /[\n\r\t,;]+/ };

export function ChipInput({ label, chips, onChange, check, normalize = (v) => v.trim(), hint, error, placeholder, suggestions, noun = 'item', ref, disabled, spaceSeparates = true }: ChipInputProps) {
  const { keys: SEPARATORS, split: SPLIT } = spaceSeparates ? WITH_SPACE : WITHOUT_SPACE;
  const id = useId();
  const [text, setText] = useState('');
  const [said, setSaid] = useState('');
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const listId = `${id}-suggestions`;

  /** The chips with `raw` added (split on separators, duplicates skipped). */
  const withText = (raw: string, base: Chip[] = chips): Chip[] => {
    const next = [...base];
    for (const part of raw.split(SPLIT)) {
      const value = normalize(part);
      if (!value || next.some((c) => c.value === value)) continue;
      next.push({ value, problem: check(value) });
    }
    return next;
  };
  const commit = (raw: string) => {
    const next = withText(raw);
    setText('');
    if (next.length === chips.length) return;
    const added = next.slice(chips.length);
    const bad = added.filter((c) => c.problem).length;
    setSaid(`Added ${added.length} ${plural(added.length, noun)}${bad ? `, ${bad} with a problem` : ''}.`);
    onChange(next);
  };
  useImperativeHandle(ref, () => ({
    flush: () => {
      const next = withText(text);
      if (next.length !== chips.length) onChange(next);
      setText('');
      return next;
    },
  }));

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (SEPARATORS.has(e.key) && text.trim()) {
      e.preventDefault();
      commit(text);
    } else if (e.key === 'Backspace' && text === '' && chips.length) {
      e.preventDefault();
      const last = chips[chips.length - 1];
      onChange(chips.slice(0, -1));
      setText(last.value); // back into the field, to be corrected rather than retyped
      setSaid(`Removed ${last.value}.`);
    }
  };
  const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const pasted = e.clipboardData.getData('text');
    if (!SPLIT.test(pasted.trim())) return; // one value: pasted into the field as usual
    e.preventDefault();
    commit(`${text} ${pasted}`);
  };
  const remove = (chip: Chip) => {
    onChange(chips.filter((c) => c !== chip));
    setSaid(`Removed ${chip.value}.`);
    document.getElementById(id)?.focus();
  };
  // A suggestion picked from the list arrives whole: make it a chip at once.
  const onInput = (value: string) => {
    if (suggestions?.some((s) => s.value === value) && value !== text && value.length - text.length > 1) return commit(value);
    setText(value);
  };

  const problemsId = `${id}-problems`;
  const hasProblems = chips.some((c) => c.problem);
  const describedBy = [hasProblems ? problemsId : null, hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field chip-field${error ? ' field--invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className={`chip-field__box${disabled ? ' chip-field__box--disabled' : ''}`}>
        {chips.length > 0 && (
          <ul className="chip-field__chips" aria-label={`${chips.length} ${plural(chips.length, noun)} entered`}>
            {chips.map((chip) => (
              <li key={chip.value} className={`chip-token${chip.problem ? ' chip-token--invalid' : ''}`} title={chip.problem ?? undefined}>
                {chip.problem && <span className="chip-token__mark" aria-hidden="true">!</span>}
                <span className="chip-token__value">{chip.value}</span>
                {chip.problem && <span className="visually-hidden">: {chip.problem}</span>}
                <button type="button" className="chip-token__remove" onClick={() => remove(chip)} aria-label={`Remove ${chip.value}`} disabled={disabled}>
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <input id={id} className="chip-field__input" value={text} placeholder={chips.length ? '' : placeholder} disabled={disabled}
          onChange={(e) => onInput(e.target.value)} onKeyDown={onKeyDown} onPaste={onPaste} onBlur={() => text.trim() && commit(text)}
          aria-invalid={error || chips.some((c) => c.problem) ? true : undefined} aria-describedby={describedBy}
          list={suggestions?.length ? listId : undefined} autoComplete="off" />
      </div>
      {suggestions && suggestions.length > 0 && (
        <datalist id={listId}>
          {suggestions.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
        </datalist>
      )}
      {hasProblems && (
        <p className="field__error" id={problemsId}>
          {chips.filter((c) => c.problem).map((c) => `${c.value}: ${c.problem}`).join('; ')}
        </p>
      )}
      {hint && <p className="field__hint" id={hintId}>{hint}</p>}
      {error && <p className="field__error" id={errorId}>{error}</p>}
      <p className="visually-hidden" aria-live="polite">{said}</p>
    </div>
  );
}

/** Re-checks every chip (after the rule changed, or with the server's reasons). */
export function recheck(chips: Chip[], check: (value: string) => string | null): Chip[] {
  return chips.map((c) => ({ ...c, problem: check(c.value) }));
}
