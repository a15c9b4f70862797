export * from './names.js';
export * from './redis.js';
export * from './events.js';
export * from './jobs.js';
export * from './queue.js';
export * from './bullmq.js';
export * from './streams.js';
