/** Wait for `p`, but no longer than `ms`; true if it settled in time. Leaves no timer behind. */
export async function settleWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((r) => (timer = setTimeout(() => r(false), Math.max(0, ms))));
  try {
    return await Promise.race([p.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
