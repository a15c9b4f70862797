import { formatHashrate, shortAddress, timeAgo } from '../lib/format';
import type { Worker } from '../lib/types';

export function WorkersTable({ workers, now, selected, onSelect }: { workers: Worker[]; now: number; selected: string | null; onSelect: (id: string | null) => void }) {
  return (
    <section className="card" aria-labelledby="workers-title">
      <h2 id="workers-title">Workers</h2>
      {workers.length === 0 ? (
        <p className="empty">No worker has connected yet.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="workers-table">
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Miner address</th>
                <th scope="col" className="num">Hashrate</th>
                <th scope="col">Last share</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((w) => (
                <tr
                  key={w.id}
                  className={`clickable${selected === w.id ? ' selected' : ''}`}
                  onClick={() => onSelect(selected === w.id ? null : w.id)}
                  data-testid="worker-row"
                  data-online={w.online}
                >
                  <td>
                    <span className={`status ${w.online ? 'online' : 'offline'}`} title={w.online ? 'online' : 'offline'} aria-label={w.online ? 'online' : 'offline'} />
                    <button type="button" className="link" aria-pressed={selected === w.id}>
                      {w.name}
                    </button>
                  </td>
                  <td className="mono" title={w.minerAddress}>
                    {shortAddress(w.minerAddress)}
                  </td>
                  <td className="num">{formatHashrate(w.hashrate)}</td>
                  <td>{timeAgo(w.lastShareAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
