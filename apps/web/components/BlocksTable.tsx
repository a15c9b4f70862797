import { formatBsv, formatBytes, formatNumber, shortHash, timeAgo, utc } from '../lib/format';
import type { Block } from '../lib/types';

export function BlocksTable({ blocks, now }: { blocks: Block[]; now: number }) {
  return (
    <section className="card" aria-labelledby="blocks-title">
      <h2 id="blocks-title">Recent blocks</h2>
      {blocks.length === 0 ? (
        <p className="empty">No blocks yet.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="blocks-table">
            <thead>
              <tr>
                <th scope="col">Height</th>
                <th scope="col">Hash</th>
                <th scope="col">Time</th>
                <th scope="col" className="num">Txs</th>
                <th scope="col" className="num">Size</th>
                <th scope="col">Found by</th>
              </tr>
            </thead>
            <tbody>
              {blocks.map((b) => (
                <tr key={b.hash} className={b.foundByPool ? 'ours' : undefined} data-testid="block-row" data-height={b.height} data-found={b.foundByPool}>
                  <td className="num">{formatNumber(b.height)}</td>
                  <td className="mono" title={b.hash}>
                    {shortHash(b.hash)}
                  </td>
                  <td title={utc(b.time)}>{timeAgo(b.time, now)}</td>
                  <td className="num">{b.txCount ?? '—'}</td>
                  <td className="num">{formatBytes(b.size)}</td>
                  <td>
                    {b.found ? (
                      <span className="pool-tag" title={`${b.found.status}, reward ${formatBsv(b.found.reward)} BSV`}>
                        Our pool{b.found.worker ? ` · ${b.found.worker.name}` : ''} · {formatBsv(b.found.reward)} BSV
                      </span>
                    ) : (
                      <span className="muted">other</span>
                    )}
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
