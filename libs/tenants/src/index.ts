export * from './corp-authorization.service.js';
export * from './tenants.module.js';
