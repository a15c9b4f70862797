import type { LinkState } from '../lib/use-pool-overview';

const LABELS: Record<LinkState, { text: string; title: string }> = {
  live: { text: 'Live', title: 'Updates are pushed by the pool API over WebSocket' },
  polling: { text: 'Polling', title: 'The live connection is down; refreshing every few seconds' },
  connecting: { text: 'Connecting', title: 'Opening the live connection to the pool API' },
};

export function LiveBadge({ link }: { link: LinkState }) {
  const { text, title } = LABELS[link];
  return (
    <span className={`badge badge-${link}`} title={title} data-testid="live-status" data-state={link}>
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}
