export * from './bootstrap.js';
export * from './error.filter.js';
export * from './health.js';
export * from './infrastructure.module.js';
export * from './logger.js';
export * from './metrics.js';
export * from './validation.pipe.js';
