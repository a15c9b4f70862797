export * from './names.js';
export * from './redis.js';
export * from './events.js';
