'use strict';
/* global exports */
// Captured values are untrusted: the panel must show this markup as text, never run it.
const label = '<img src=x onerror="document.title=\'XSS-EXECUTED\'"><script>document.title=\'XSS-EXECUTED\'</script>';
const seen = [];
exports.handler = async (event) => {
  seen.push(label);
  return { label, count: seen.length, event };
};
