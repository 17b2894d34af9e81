'use strict';
/* global require, exports, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS handler, as Lambda runs it */
// Leaves a file behind when it runs, so a test can tell whether any of its code ran
// (it must not in a restricted workspace).
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
writeFileSync(join(__dirname, 'module-loaded.marker'), new Date().toISOString());
exports.handler = async () => {
  writeFileSync(join(__dirname, 'handler-ran.marker'), new Date().toISOString());
  return 'ran';
};
