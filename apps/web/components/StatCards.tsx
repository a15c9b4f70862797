import { formatHashrate, formatNumber, shortHash, timeAgo, utc } from '../lib/format';
import type { ChainTip, PoolStats } from '../lib/types';

function Card({ label, value, detail, testId, title }: { label: string; value: string; detail?: string; testId: string; title?: string }) {
  return (
    <div className="card stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testId} title={title}>
        {value}
      </div>
      {detail ? <div className="stat-detail">{detail}</div> : null}
    </div>
  );
}

export function StatCards({ tip, stats, now }: { tip: ChainTip | null; stats: PoolStats; now: number }) {
  return (
    <section className="stats" aria-label="Pool overview">
      <div className="card stat stat-tip">
        <div className="stat-label">Chain height</div>
        <div className="stat-value" data-testid="chain-height">
          {tip ? formatNumber(tip.height) : '—'}
        </div>
        <div className="stat-detail mono" data-testid="tip-hash" title={tip?.hash}>
          {tip ? shortHash(tip.hash, 10) : 'waiting for the node'}
        </div>
        {tip ? (
          <div className="stat-detail" title={utc(tip.time)}>
            tip {timeAgo(tip.time, now)}
          </div>
        ) : null}
      </div>
      <Card
        label="Pool hashrate"
        value={formatHashrate(stats.hashrate)}
        detail={`over the last ${Math.round(stats.windowSeconds / 60)} min`}
        testId="pool-hashrate"
        title={`${stats.hashrate.toFixed(0)} H/s`}
      />
      <Card label="Workers online" value={formatNumber(stats.workersOnline)} testId="workers-online" />
      <Card label="Shares, last hour" value={formatNumber(stats.sharesLastHour)} testId="shares-last-hour" />
      <Card label="Blocks found" value={formatNumber(stats.blocksFound)} testId="blocks-found" />
    </section>
  );
}
