// Used storage against a quota, as a <meter> (read out by screen readers) with the words beside it.
import { formatBytes as bytes } from '../../ui/format.ts';

export function UsageBar({ label, used, quota }: { label: string; used: number; quota: number | null }) {
  if (quota === null) return <p className="usage-bar__words">{bytes(used)} used · no quota</p>;
  const share = quota === 0 ? 1 : Math.min(used / quota, 1);
  return (
    <div className="usage-bar">
      <meter className="usage-bar__meter" min={0} max={quota || 1} value={Math.min(used, quota)} low={quota * 0.8} high={quota * 0.95} optimum={0} aria-label={label}>
        {Math.round(share * 100)}%
      </meter>
      <p className="usage-bar__words">{bytes(used)} of {bytes(quota)} ({Math.round(share * 100)}%)</p>
    </div>
  );
}
