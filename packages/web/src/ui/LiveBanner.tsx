// What a page with live changes says when they stop: a lost connection (it reconnects and catches
// up on its own), an ended session, or access taken away.
import { Link } from 'react-router';
import type { LiveState } from '../app/live.ts';

export function LiveBanner({ state }: { state: LiveState }) {
  if (state === 'lost') return <p className="banner banner--warning" role="status">Connection lost. Changes by others will appear again once it is back; reconnecting…</p>;
  if (state === 'signed-out') return <p className="banner banner--error" role="alert">Your session has ended. <Link to="/sign-in">Sign in again</Link> to see live changes.</p>;
  if (state === 'no-access') return <p className="banner banner--error" role="alert">You no longer have access to this project.</p>;
  return null;
}
