'use client';

import { useState } from 'react';
import { timeAgo } from '../lib/format';
import { usePoolOverview } from '../lib/use-pool-overview';
import { BlocksTable } from './BlocksTable';
import { LiveBadge } from './LiveBadge';
import { SharesTable } from './SharesTable';
import { StatCards } from './StatCards';
import { WorkersTable } from './WorkersTable';

export function Dashboard({ apiUrl, wsUrl }: { apiUrl: string; wsUrl: string }) {
  const [workerId, setWorkerId] = useState<string | null>(null);
  const { overview, error, link, lastUpdate, now } = usePoolOverview(apiUrl, wsUrl, workerId);

  return (
    <main className="page">
      <header className="top">
        <div>
          <h1>Metamorph pool</h1>
          <p className="subtitle">Bitcoin SV · SHA-256d</p>
        </div>
        <div className="top-right">
          <LiveBadge link={link} />
          {lastUpdate ? <span className="muted updated">updated {timeAgo(new Date(lastUpdate).toISOString(), now)}</span> : null}
        </div>
      </header>

      {error ? (
        <div className="banner" role="alert" data-testid="api-error">
          {error}. Retrying…
        </div>
      ) : null}

      {overview ? (
        <>
          <StatCards tip={overview.chainTip} stats={overview.poolStats} now={now} />
          <div className="columns">
            <BlocksTable blocks={overview.recentBlocks} now={now} />
            <WorkersTable workers={overview.workers} now={now} selected={workerId} onSelect={setWorkerId} />
          </div>
          <SharesTable shares={overview.recentShares} workers={overview.workers} selected={workerId} onSelect={setWorkerId} now={now} />
        </>
      ) : error ? null : (
        <p className="loading" aria-busy="true">
          Loading pool figures…
        </p>
      )}
    </main>
  );
}
