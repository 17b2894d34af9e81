/**
 * The source of a minimal Lambda Node.js runtime client, written to disk and started by
 * the Runtime API backend in place of Lambda's /var/runtime/index.mjs. It does what the
 * real runtime interface client does that matters here: load `_HANDLER` from
 * LAMBDA_TASK_ROOT by Lambda's rules, poll the Runtime API, call the handler with
 * (event, context, callback), post the response or the error, prefix console lines with
 * time, request id and level. Because it is started as an ordinary command, an
 * AWS_LAMBDA_EXEC_WRAPPER script or NODE_OPTIONS (`--require /opt/...`) wraps it exactly as
 * they wrap the real runtime, which is what the probe needs to be tested.
 *
 * Kept as plain CommonJS text (no TypeScript, no imports from this project) because it runs
 * in a separate `node` with nothing but Node's own modules.
 */
export const RUNTIME_CLIENT_SOURCE = String.raw`'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

const [apiHost, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId;

function call(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: apiHost, port: Number(apiPort), method, path: '/2018-06-01/runtime' + route, agent, headers }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function toError(thrown, fallbackType) {
  if (thrown instanceof Error) {
    return { errorType: thrown.name || fallbackType, errorMessage: thrown.message, trace: String(thrown.stack || '').split('\n') };
  }
  return { errorType: fallbackType || 'Error', errorMessage: typeof thrown === 'string' ? thrown : util.inspect(thrown), trace: [] };
}

// Lambda's console: "<ISO time>\t<request id>\t<LEVEL>\t<message>".
for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
  console[name] = (...args) => {
    const text = util.format(...args).replace(/\n/g, '\r');
    process.stdout.write(new Date().toISOString() + '\t' + (currentRequestId || 'undefined') + '\t' + level + '\t' + text + '\n');
  };
}

function existing(file) {
  try { return fs.statSync(file).isFile() ? file : null; } catch { return null; }
}

function packageTypeIsModule(start) {
  let dir = path.dirname(start);
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (existing(pj)) {
      try { return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module'; } catch { return false; }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

class RuntimeError extends Error {
  constructor(type, message) { super(message); this.name = type; }
}

async function loadHandler() {
  const handlerString = process.env._HANDLER || '';
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  if (handlerString.includes('..')) throw new RuntimeError('Runtime.MalformedHandlerName', "'" + handlerString + "' is not a valid handler name. Use absolute paths when specifying root directories in handler names.");
  const slash = handlerString.lastIndexOf('/');
  const moduleRoot = handlerString.slice(0, slash + 1);
  const rest = handlerString.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot < 0) throw new RuntimeError('Runtime.MalformedHandlerName', "Bad handler " + handlerString);
  const moduleName = rest.slice(0, dot);
  const exportPath = rest.slice(dot + 1);
  const base = path.resolve(root, moduleRoot, moduleName);
  let mod;
  try {
    if (existing(base)) mod = require(base);
    else if (!packageTypeIsModule(base) && existing(base + '.js')) mod = require(base + '.js');
    else if (existing(base + '.js')) mod = await import(pathToFileURL(base + '.js').href);
    else if (existing(base + '.mjs')) mod = await import(pathToFileURL(base + '.mjs').href);
    else if (existing(base + '.cjs')) mod = require(base + '.cjs');
    else mod = require(require.resolve(moduleName, { paths: [root, path.resolve(root, moduleRoot)] }));
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', String(error));
    if (error && error.code === 'MODULE_NOT_FOUND') throw new RuntimeError('Runtime.ImportModuleError', 'Error: Cannot find module ' + "'" + moduleName + "'");
    throw error;
  }
  let handler = mod;
  for (const part of exportPath.split('.')) handler = handler == null ? undefined : handler[part];
  if (typeof handler !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', handlerString + ' is undefined or not exported');
  return handler;
}

function invokeHandler(handler, event, context) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (error, result) => {
      if (settled) return;
      settled = true;
      resolve({ error, result });
    };
    try {
      const returned = handler(event, context, (error, result) => finish(error == null ? null : error, result));
      if (returned && typeof returned.then === 'function') returned.then((r) => finish(null, r), (e) => finish(e === undefined ? new Error('undefined') : e));
    } catch (error) {
      finish(error);
    }
  });
}

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    const body = JSON.stringify(toError(error, 'Runtime.ImportModuleError'));
    console.error('INIT_ERROR ' + body);
    await call('POST', '/init/error', body, { 'Lambda-Runtime-Function-Error-Type': 'Unhandled' });
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
    currentRequestId = requestId;
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: requestId,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      identity: undefined,
      // As the real client reads it: the header's JSON, parsed; absent without one.
      clientContext: next.headers['lambda-runtime-client-context'] === undefined ? undefined : JSON.parse(next.headers['lambda-runtime-client-context']),
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const { error, result } = await invokeHandler(handler, JSON.parse(next.body.toString('utf8') || 'null'), context);
    if (error != null) {
      const body = JSON.stringify(toError(error, 'Error'));
      console.error('Invoke Error \t' + body);
      await call('POST', '/invocation/' + requestId + '/error', body, { 'Lambda-Runtime-Function-Error-Type': 'Unhandled' });
    } else {
      await call('POST', '/invocation/' + requestId + '/response', result === undefined ? 'null' : JSON.stringify(result));
    }
  }
}

main().catch((error) => {
  console.error('runtime client failed', error);
  process.exit(1);
});
`;
