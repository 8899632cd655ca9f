// A read-only value (an invitation link) with a Copy button. The clipboard API needs a secure
// origin; elsewhere (plain http on a LAN) the text is selected and copied the old way, and if
// even that fails the selected text is left for Ctrl+C.
import { useId, useRef, useState } from 'react';
import './settings.css';

export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      input.current?.select();
      setCopied(document.execCommand?.('copy') ? 'yes' : 'select');
    }
  };
  return (
    <div className="copy-field">
      <label htmlFor={id} className="visually-hidden">{label}</label>
      <input id={id} ref={input} readOnly value={value} onFocus={(e) => e.target.select()} />
      <button type="button" className="button button--small" onClick={() => void copy()}>
        {copied === 'yes' ? 'Copied' : 'Copy'}<span className="visually-hidden"> {label.toLowerCase()}</span>
      </button>
      <span className="visually-hidden" aria-live="polite">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'select' ? 'Selected: press Ctrl+C to copy.' : ''}
      </span>
    </div>
  );
}
