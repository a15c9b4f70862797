export * from './errors.js';
export * from './pg-pool.js';
export * from './database.js';
export * from './migrate.js';
export * from './prisma.js';
