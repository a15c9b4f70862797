/** Seconds since the epoch; injected so tests can move time (the reference node's adjusted time). */
export type Clock = () => number;

export const systemClock: Clock = () => Math.floor(Date.now() / 1000);
