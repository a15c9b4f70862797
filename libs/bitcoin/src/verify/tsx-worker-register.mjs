// Preloaded (--import) into verification workers started from TypeScript sources: tsx's
// own --import entry registers its loader on the main thread only under Node 20, so a
// worker registers it explicitly before its .ts entry module is loaded.
import { register } from 'tsx/esm/api';

register();
