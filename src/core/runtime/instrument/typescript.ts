/**
 * Sucrase, the TypeScript stripper, as its own bundle (dist/child/typescript.js, see
 * scripts/build.mjs): about 670 KB that only TypeScript handlers load, on first use, instead
 * of every cold start parsing it as part of bootstrap.js and esm-hooks.mjs.
 */
export { transform } from 'sucrase';
