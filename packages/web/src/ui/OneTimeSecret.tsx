// A secret the server shows once (an access token, the SCIM token): copy it now, it is stored
// hashed and cannot be shown again. Announced when it appears.
import { CopyField } from './CopyField.tsx';
import './settings.css';

export function OneTimeSecret({ label, value, onDone }: { label: string; value: string; onDone(): void }) {
  return (
    <div className="one-time-secret" role="status">
      <p className="one-time-secret__title">{label}</p>
      <CopyField label={label} value={value} />
      <p className="one-time-secret__warning">Copy it now: you will not see it again. Backlot keeps only a fingerprint of it.</p>
      <button type="button" className="button button--small" onClick={onDone}>I have copied it</button>
    </div>
  );
}
