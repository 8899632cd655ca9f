// A small padlock (an SVG: emoji fonts are not on every machine). Decorative unless labelled.
export function LockIcon({ label }: { label?: string }) {
  return (
    <svg className="lock-icon" viewBox="0 0 16 16" width="12" height="12" role={label ? 'img' : undefined} aria-label={label} aria-hidden={label ? undefined : true} focusable="false">
      <path fill="currentColor" d="M8 1a3.5 3.5 0 0 0-3.5 3.5V7H4a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1h-.5V4.5A3.5 3.5 0 0 0 8 1Zm-2 3.5a2 2 0 1 1 4 0V7H6V4.5Z" />
    </svg>
  );
}
