export * from './catalogue.js';
export * from './field-schemas.js';
export * from './input-schema.js';
export * from './validate-facts.js';
