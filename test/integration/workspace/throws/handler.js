'use strict';
/* global exports */
// Throws on every invocation: Lambda reports the error and keeps the environment warm.
let failures = 0;
exports.handler = async () => {
  failures += 1;
  throw new Error(`failure number ${failures}`);
};
