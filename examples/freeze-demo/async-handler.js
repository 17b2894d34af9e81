'use strict';
// The freeze demo (handler.js) as an async handler: the signature nodejs24.x requires, since
// its runtime refuses callback handlers (Runtime.CallbackHandlerDeprecated). It runs the same
// on every Node.js runtime, and module-scope arrays still survive between warm invocations.
var arrayA = [];
var arrayB = [];
module.exports.test = async (event, context) => {
  var arrayC = [];
  var arrayD = [];
  arrayA.push("A"); arrayB.push("B"); arrayC.push("C"); arrayD.push("D");
  console.log("Array A:", arrayA); console.log("Array B:", arrayB);
  console.log("Array C:", arrayC); console.log("Array D:", arrayD);
  arrayA = []; arrayC = [];
  return null;
};
