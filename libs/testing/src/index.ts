export * from './database.js';
export * from './redis.js';
export * from './wait.js';
export * from './net.js';
