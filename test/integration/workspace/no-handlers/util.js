'use strict';
// A helper module without any exported function: no CodeLens belongs here.
function double(value) {
  return value * 2;
}
double(21);
