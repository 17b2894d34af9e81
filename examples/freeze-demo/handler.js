'use strict';
// The scenario from the 2016 post on Lambda freezing: module-scope arrays survive
// between warm invocations, handler-scope arrays are recreated each time.
var arrayA = [];
var arrayB = [];
module.exports.test = (event, context, callback) => {
  var arrayC = [];
  var arrayD = [];
  arrayA.push("A"); arrayB.push("B"); arrayC.push("C"); arrayD.push("D");
  console.log("Array A:", arrayA); console.log("Array B:", arrayB);
  console.log("Array C:", arrayC); console.log("Array D:", arrayD);
  arrayA = []; arrayC = [];
  callback(null);
};
