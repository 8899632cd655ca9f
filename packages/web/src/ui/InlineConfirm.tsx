// "Are you sure?" in place of the button that asked, for actions that cannot be taken back
// (removing someone): the confirming button has focus, Cancel puts things back.
import './confirm.css';

export function InlineConfirm({ label, question, confirm, busy, onConfirm, onCancel }: {
  /** What is being confirmed, for screen readers ("Confirm removing Ana"). */
  label: string;
  question: string;
  confirm: string;
  busy: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <span className="confirm" role="group" aria-label={label}>
      <span className="confirm__text">{question}</span>
      <button type="button" className="button button--small button--danger button--primary" disabled={busy} onClick={onConfirm} autoFocus>{confirm}</button>
      <button type="button" className="button button--small" onClick={onCancel}>Cancel</button>
    </span>
  );
}
