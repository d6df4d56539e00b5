export * from './errors.js';
export * from './limits.js';
export * from './media.js';
export * from './methods.js';
export * from './notifications.js';
export * from './envelope.js';
export * from './rest.js';
export * from './simulcast.js';
