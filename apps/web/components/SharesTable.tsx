import { formatDifficulty, formatNumber, timeAgo, utc } from '../lib/format';
import type { Share, Worker } from '../lib/types';

export function SharesTable({
  shares,
  workers,
  selected,
  onSelect,
  now,
}: {
  shares: Share[];
  workers: Worker[];
  selected: string | null;
  onSelect: (id: string | null) => void;
  now: number;
}) {
  return (
    <section className="card" aria-labelledby="shares-title">
      <div className="card-head">
        <h2 id="shares-title">Recent shares</h2>
        <label className="filter">
          <span>Worker</span>
          <select value={selected ?? ''} onChange={(e) => onSelect(e.target.value || null)} data-testid="share-worker-filter">
            <option value="">All workers</option>
            {workers.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name} ({w.minerAddress.slice(0, 8)}…)
              </option>
            ))}
          </select>
        </label>
      </div>
      {shares.length === 0 ? (
        <p className="empty">No shares yet.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="shares-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Worker</th>
                <th scope="col" className="num">Difficulty</th>
                <th scope="col" className="num">Reached</th>
                <th scope="col" className="num">Height</th>
              </tr>
            </thead>
            <tbody>
              {shares.map((s) => (
                <tr key={s.id} className={s.isBlock ? 'ours' : undefined} data-testid="share-row" data-worker={s.worker.name}>
                  <td title={utc(s.submittedAt)}>{timeAgo(s.submittedAt, now)}</td>
                  <td>{s.worker.name}</td>
                  <td className="num">{formatDifficulty(s.difficulty)}</td>
                  <td className="num">{formatDifficulty(s.actualDifficulty)}</td>
                  <td className="num">
                    {formatNumber(s.height)}
                    {s.isBlock ? <span className="pool-tag small">block</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
