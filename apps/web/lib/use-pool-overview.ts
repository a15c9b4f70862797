'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { createClient } from 'graphql-ws';
import { graphqlRequest } from './graphql';
import { CHAIN_TIP_SUBSCRIPTION, OVERVIEW_QUERY, PAGE_SIZES, POOL_STATS_SUBSCRIPTION } from './queries';
import type { ChainTip, Overview, PoolStats } from './types';

/** How fresh data arrives: pushed over WebSocket, or fetched every few seconds while that is down. */
export type LinkState = 'connecting' | 'live' | 'polling';

const POLL_MS = 5_000;
/** Workers and shares have no subscription; refetch them this often even when live. */
const LIVE_REFRESH_MS = 15_000;

export interface PoolOverview {
  overview: Overview | null;
  error: string | null;
  link: LinkState;
  lastUpdate: number | null;
  now: number;
}

/**
 * The dashboard's data: one GraphQL query for everything, then the chain tip and pool figures
 * pushed by subscriptions (the rest refetched when the tip moves), polling when the socket is down.
 */
export function usePoolOverview(apiUrl: string, wsUrl: string, workerId: string | null): PoolOverview {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<LinkState>('connecting');
  const [lastUpdate, setLastUpdate] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const seq = useRef(0);
  const lastFetch = useRef(0);
  const linkRef = useRef<LinkState>('connecting');
  const workerRef = useRef(workerId);
  workerRef.current = workerId;

  const refresh = useCallback(async () => {
    const mine = ++seq.current;
    lastFetch.current = Date.now();
    try {
      const data = await graphqlRequest<Overview>(apiUrl, OVERVIEW_QUERY, { ...PAGE_SIZES, workerId: workerRef.current });
      // A slower, older request must not overwrite a newer answer.
      if (mine !== seq.current) return;
      setOverview(data);
      setError(null);
      setLastUpdate(Date.now());
    } catch (e) {
      if (mine === seq.current) setError((e as Error).message);
    }
  }, [apiUrl]);

  useEffect(() => {
    void refresh();
  }, [refresh, workerId]);

  useEffect(() => {
    let refreshTimer: ReturnType<typeof setTimeout> | null = null;
    const refreshSoon = () => {
      if (refreshTimer) clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => void refresh(), 250);
    };
    const setLinkState = (s: LinkState) => {
      linkRef.current = s;
      setLink(s);
    };
    const client = createClient({
      url: wsUrl,
      lazy: false,
      keepAlive: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (retries) => new Promise((r) => setTimeout(r, Math.min(1_000 * 2 ** retries, 10_000))),
      on: {
        connected: () => {
          // Events may have been missed while disconnected.
          if (linkRef.current === 'polling') refreshSoon();
          setLinkState('live');
        },
        closed: () => setLinkState('polling'),
      },
    });
    const stopTip = client.subscribe<{ chainTip: ChainTip | null }>(
      { query: CHAIN_TIP_SUBSCRIPTION },
      {
        next: ({ data }) => {
          if (!data) return;
          setOverview((o) => (o ? { ...o, chainTip: data.chainTip } : o));
          setLastUpdate(Date.now());
          refreshSoon();
        },
        error: () => setLinkState('polling'),
        complete: () => {},
      },
    );
    const stopStats = client.subscribe<{ poolStats: PoolStats }>(
      { query: POOL_STATS_SUBSCRIPTION },
      {
        next: ({ data }) => {
          if (!data) return;
          setOverview((o) => (o ? { ...o, poolStats: data.poolStats } : o));
          setLastUpdate(Date.now());
        },
        error: () => setLinkState('polling'),
        complete: () => {},
      },
    );
    const ticker = setInterval(() => {
      setNow(Date.now());
      const since = Date.now() - lastFetch.current;
      if (since >= (linkRef.current === 'live' ? LIVE_REFRESH_MS : POLL_MS)) void refresh();
    }, 1_000);
    return () => {
      clearInterval(ticker);
      if (refreshTimer) clearTimeout(refreshTimer);
      stopTip();
      stopStats();
      void client.dispose();
    };
  }, [wsUrl, refresh]);

  return { overview, error, link, lastUpdate, now };
}
