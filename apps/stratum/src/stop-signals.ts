import { createLogger } from '@metamorph/config';

/** Closes what the process started; resolves with the number of shares it could not store. */
export type CloseProcess = () => Promise<number | void>;

export interface StopSignals {
  /** Whether SIGINT/SIGTERM has arrived. */
  readonly stopping: boolean;
  /** What a signal closes, once the process has started it. */
  close: CloseProcess | undefined;
}

/**
 * Install SIGINT/SIGTERM handling first, so a signal during start-up is handled too: close what
 * was started (within 15 s), log, and exit 1 when shares could not be stored, otherwise 0.
 */
export function handleStopSignals(app: string): StopSignals {
  const state: { stopping: boolean; close: CloseProcess | undefined } = { stopping: false, close: undefined };
  const stop = async (signal: string) => {
    if (state.stopping) return;
    state.stopping = true;
    const logger = createLogger(app);
    logger.info('stopping', { signal });
    const timer = setTimeout(() => {
      logger.error('did not stop within 15 s; exiting');
      process.exit(1);
    }, 15_000);
    const lost = (await state.close?.()) ?? 0;
    clearTimeout(timer);
    if (lost) logger.error('shares could not be stored before exit', { lost });
    else logger.info('stopped');
    process.exit(lost ? 1 : 0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return state;
}
