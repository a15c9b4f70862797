export * from './errors.js';
export * from './env.js';
export * from './load.js';
export * from './logger.js';
export * from './fatal.js';
export * from './shared.js';
export * from './node.js';
