export * from './corp-authorization.service.js';
export * from './tenants.module.js';
export * from './license.service.js';
export * from './license-reconciler.js';
