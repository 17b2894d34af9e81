/**
 * The bounded serializer: turns values of the user's program into JSON-safe ValueNodes plus a
 * SizeMeasure, inside the user's process, without running any of the user's code.
 *
 * Who calls it: the frame hooks (frame-hooks.ts) at the handler's exits and throws, with the
 * values of its bindings; the runtime after each invocation, with the module's top-level
 * bindings (module-scope.ts); in the cloud probe, its capture worker through the inspector
 * (`Runtime.callFunctionOn` on the function the probe's hooks channel holds).
 *
 * What never runs: getters (shown as accessors), Proxy traps (proxies are opaque),
 * toString/toJSON/valueOf/Symbol.toPrimitive/inspect hooks, user iterators, replaced built-ins
 * (every built-in is called through a reference saved before user code loaded: intrinsics.ts
 * and the ones below), setters on Array.prototype (arrays are built with defineProperty), and a
 * user's Error.prepareStackTrace, whether set on Error or on a class that replaced the global
 * `Error` (Node formats a stack with `globalThis.Error.prepareStackTrace`): the stack is then
 * reported as null.
 *
 * Known limits (docs/snapshot-format.md): a Promise's state is not read (`unknown`): Node has no
 * way to read it that runs no user code (util.inspect formats the settled value, the inspector
 * reads an error's getters). Work is bounded by the budgets and by the elements a value holds,
 * never by an array's `length` (a sparse array of length 2**32-1 is as cheap as an empty one).
 */
import { Buffer } from 'node:buffer';
import { types as utilTypes } from 'node:util';
import type { MapEntryNode, PropertyNode, SizeMeasure, ValueNode } from '../../../model/snapshot';
import type { CaptureBudgets } from '../../environment-api';
import { append, messageOf, realmGlobal } from './intrinsics';

export interface CapturedValue {
  value: ValueNode;
  size: SizeMeasure;
}

export type CaptureFunction = (budgets: CaptureBudgets, values: unknown[]) => CapturedValue[];

/** Elements shown in a binary preview (Buffer, typed array, ArrayBuffer). */
export const BINARY_PREVIEW_ITEMS = 16;
/** Values visited by one size measurement; past it the total is a lower bound (`exact: false`). */
export const MEASURE_VISIT_BUDGET = 5_000;
/** Strings longer than this are measured by UTF-16 length (a lower bound of their UTF-8 bytes). */
export const MEASURE_EXACT_STRING_CHARS = 1 << 20;
/**
 * Approximate JSON characters one capture call may produce across all its values. Keeps a
 * scope with many big variables well under the 256 KB the engine promises per snapshot.
 */
export const OUTPUT_CHAR_BUDGET = 160_000;
/** Rough JSON cost of one node's punctuation and type tag, for the output budget. */
const NODE_COST = 32;
/** What Node's stack formatter reads from an error to write the first line. */
const ERROR_HEADER_FIELDS = ['name', 'message', 'code'];

type Descriptor = PropertyDescriptor | undefined;
type AnyFunction = (...args: never[]) => unknown;

/**
 * Builds a capture function bound to the built-ins as they are right now. Pure apart from
 * reading those built-ins: calling it twice gives two independent serializers.
 */
export function createCapture(): CaptureFunction {
  // ---- intrinsics, saved before user code can patch them ----
  const apply = Reflect.apply;
  const ownKeys = Reflect.ownKeys;
  const getOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor as (target: object, key: PropertyKey) => Descriptor;
  const getPrototypeOf = Reflect.getPrototypeOf as (target: object) => object | null;
  const hasOwn = Object.hasOwn;
  const objectCreate = Object.create;
  const createNullObject = (): object => objectCreate(null) as object;
  const objectPrototype: object = Object.prototype;
  const isArray = Array.isArray;
  const StringCtor = String;
  const NumberCtor = Number;
  const jsonStringify = JSON.stringify;
  const MapCtor = Map;
  const SetCtor = Set;
  const Uint8ArrayCtor = Uint8Array;
  const {
    isProxy, isMap, isSet, isDate, isRegExp, isNativeError, isPromise, isTypedArray, isArrayBuffer,
    isSharedArrayBuffer, isDataView, isWeakMap, isWeakSet, isBoxedPrimitive, isAsyncFunction,
    isGeneratorFunction, isModuleNamespaceObject, isNumberObject, isStringObject, isBooleanObject,
    isBigIntObject, isSymbolObject,
  } = utilTypes;
  const bufferByteLength = Buffer.byteLength;
  const optionalGetter = (proto: object, key: PropertyKey): AnyFunction | null => {
    const desc = getOwnPropertyDescriptor(proto, key);
    return desc && typeof desc.get === 'function' ? (desc.get as AnyFunction) : null;
  };
  const errorCtor = Error as unknown as Record<string, unknown>;
  // Node's own formatter when none was installed (undefined), or one installed before us (a
  // --require'd source-map tool): part of the runtime, not of the user's code.
  const nodePrepareStackTrace = errorCtor.prepareStackTrace;
  // V8 >= 12.x (Node 21+) gives each error an own `stack` accessor instead of a data
  // property; every error shares one native getter. Saved here so that a getter the user
  // put on an error is told apart from V8's own and never runs.
  const nativeStackGetter = optionalGetter(new Error(), 'stack');

  const getter = (proto: object, key: PropertyKey): AnyFunction => {
    const desc = getOwnPropertyDescriptor(proto, key);
    if (!desc || typeof desc.get !== 'function') throw new Error(`warm-state: missing intrinsic getter ${StringCtor(key)}`);
    return desc.get as AnyFunction;
  };

  const mapProto = Map.prototype;
  const mapEntries = mapProto.entries;
  const mapGet = mapProto.get;
  const mapSet = mapProto.set;
  const mapSize = getter(mapProto, 'size');
  const mapIteratorNext = (getPrototypeOf(new Map().entries()) as { next: AnyFunction }).next;
  const setProto = Set.prototype;
  const setValues = setProto.values;
  const setAdd = setProto.add;
  const setHas = setProto.has;
  const setSize = getter(setProto, 'size');
  const setIteratorNext = (getPrototypeOf(new Set().values()) as { next: AnyFunction }).next;
  const dateGetTime = Date.prototype.getTime;
  const dateToISOString = Date.prototype.toISOString;
  const regExpSource = getter(RegExp.prototype, 'source');
  const regExpFlagGetters: Array<[string, AnyFunction | null]> = [
    ['d', optionalGetter(RegExp.prototype, 'hasIndices')],
    ['g', optionalGetter(RegExp.prototype, 'global')],
    ['i', optionalGetter(RegExp.prototype, 'ignoreCase')],
    ['m', optionalGetter(RegExp.prototype, 'multiline')],
    ['s', optionalGetter(RegExp.prototype, 'dotAll')],
    ['u', optionalGetter(RegExp.prototype, 'unicode')],
    ['v', optionalGetter(RegExp.prototype, 'unicodeSets')],
    ['y', optionalGetter(RegExp.prototype, 'sticky')],
  ];
  const regExpExec = RegExp.prototype.exec;
  const typedArrayProto = getPrototypeOf(Uint8Array.prototype) as object;
  const typedArrayByteLength = getter(typedArrayProto, 'byteLength');
  const typedArrayLength = getter(typedArrayProto, 'length');
  const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
  const sharedArrayBufferByteLength = typeof SharedArrayBuffer === 'function' ? getter(SharedArrayBuffer.prototype, 'byteLength') : null;
  const dataViewByteLength = getter(DataView.prototype, 'byteLength');
  const dataViewByteOffset = getter(DataView.prototype, 'byteOffset');
  const dataViewBuffer = getter(DataView.prototype, 'buffer');
  const functionToString = Function.prototype.toString;
  const symbolDescription = getter(Symbol.prototype, 'description');
  const weakRefPrototype: object | null = typeof WeakRef === 'function' ? WeakRef.prototype : null;
  const weakRefDeref = weakRefPrototype ? WeakRef.prototype.deref : null;
  const finalizationPrototype: object | null = typeof FinalizationRegistry === 'function' ? FinalizationRegistry.prototype : null;
  const finalizationUnregister = finalizationPrototype ? FinalizationRegistry.prototype.unregister : null;
  const numberValueOf = Number.prototype.valueOf;
  const stringValueOf = String.prototype.valueOf;
  const booleanValueOf = Boolean.prototype.valueOf;
  const bigintValueOf = BigInt.prototype.valueOf;
  const symbolValueOf = Symbol.prototype.valueOf;
  const stringSlice = String.prototype.slice;
  const stringIndexOf = String.prototype.indexOf;
  const stringStartsWith = String.prototype.startsWith;
  const stringTrimStart = String.prototype.trimStart;
  const identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  const arrowPattern = /^(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][A-Za-z0-9_$]*)\s*=>/;

  // ---- small safe helpers over the saved intrinsics ----
  const slice = (text: string, end: number): string => apply(stringSlice, text, [0, end]) as string;
  const matches = (pattern: RegExp, text: string): boolean => {
    pattern.lastIndex = 0;
    return apply(regExpExec, pattern, [text]) !== null;
  };
  const isDataDescriptor = (desc: PropertyDescriptor): boolean => hasOwn(desc, 'value');

  /** Name of a value's class: the prototype's own `constructor` data property, then that function's own `name`. */
  const classNameOf = (value: object, fallback: string): string => {
    const proto = getPrototypeOf(value);
    if (proto === null) return 'Object';
    if (isProxy(proto)) return fallback;
    const ctorDesc = getOwnPropertyDescriptor(proto, 'constructor');
    if (!ctorDesc || !isDataDescriptor(ctorDesc)) return fallback;
    const ctor: unknown = ctorDesc.value;
    if (typeof ctor !== 'function' || isProxy(ctor)) return fallback;
    const nameDesc = getOwnPropertyDescriptor(ctor, 'name');
    if (!nameDesc || !isDataDescriptor(nameDesc)) return fallback;
    const name: unknown = nameDesc.value;
    return typeof name === 'string' && name !== '' ? name : fallback;
  };

  const ownDataString = (value: object, key: string): string | null => {
    const desc = getOwnPropertyDescriptor(value, key);
    if (!desc || !isDataDescriptor(desc)) return null;
    const text: unknown = desc.value;
    return typeof text === 'string' ? text : null;
  };

  /** An error's stack when it is data or V8's own accessor (Node 21+); never a user getter. */
  const ownStackString = (error: object): string | null => {
    const desc = getOwnPropertyDescriptor(error, 'stack');
    if (!desc) return null;
    if (isDataDescriptor(desc)) return typeof desc.value === 'string' ? desc.value : null;
    if (nativeStackGetter === null || desc.get !== nativeStackGetter) return null;
    try {
      const text: unknown = apply(nativeStackGetter, error, []);
      return typeof text === 'string' ? text : null;
    } catch {
      return null;
    }
  };

  /**
   * True when the fields Node's formatter puts in a stack's first line (`name`, `message`, and
   * `code` for Node's own errors) are data properties all along the prototype chain (no getters,
   * no Proxies).
   */
  const errorHeaderIsData = (error: object): boolean => {
    for (let current: object | null = error; current !== null; current = getPrototypeOf(current) as object | null) {
      if (isProxy(current)) return false;
      for (let i = 0; i < ERROR_HEADER_FIELDS.length; i++) {
        const desc = getOwnPropertyDescriptor(current, ERROR_HEADER_FIELDS[i] as string);
        if (desc && !isDataDescriptor(desc)) return false;
      }
    }
    return true;
  };

  /** Whether `key`, looked up from `start` along its prototype chain, is absent or an inert data value. */
  const lookupIsInert = (start: unknown, key: string, allowed: unknown): boolean => {
    if (start === undefined || start === null) return true;
    if (typeof start !== 'object' && typeof start !== 'function') return false;
    for (let current: object | null = start as object; current !== null; current = getPrototypeOf(current)) {
      if (isProxy(current)) return false;
      const desc = getOwnPropertyDescriptor(current, key);
      if (desc) return isDataDescriptor(desc) && (desc.value === undefined || desc.value === allowed);
    }
    return true;
  };

  /**
   * True when formatting a stack now runs only Node's own code. Node calls
   * `globalThis.Error.prepareStackTrace` (the realm's current global `Error`, statics inherited
   * from a parent class included) before the Error it started with, so both are checked.
   */
  const stackFormatIsNodes = (): boolean => {
    const globalError = getOwnPropertyDescriptor(realmGlobal, 'Error');
    if (globalError && !isDataDescriptor(globalError)) return false;
    // Deleted: Node's lookup goes on along the global object's prototype chain.
    if (!globalError && !lookupIsInert(getPrototypeOf(realmGlobal), 'Error', undefined)) return false;
    return lookupIsInert(globalError?.value, 'prepareStackTrace', nodePrepareStackTrace) && lookupIsInert(errorCtor, 'prepareStackTrace', nodePrepareStackTrace);
  };

  const describeSymbol = (symbol: symbol): string => {
    const description = apply(symbolDescription, symbol, []) as string | undefined;
    return description === undefined ? '' : description;
  };

  const propertyLabel = (key: string | symbol): string =>
    typeof key === 'symbol' ? `[Symbol(${describeSymbol(key)})]` : key;

  const childPath = (path: string, key: string | symbol): string => {
    if (typeof key === 'symbol') return `${path}[Symbol(${describeSymbol(key)})]`;
    return matches(identifierPattern, key) ? `${path}.${key}` : `${path}[${jsonStringify(key)}]`;
  };

  const functionNode = (fn: AnyFunction): ValueNode => {
    const nameDesc = getOwnPropertyDescriptor(fn, 'name');
    const rawName: unknown = nameDesc && isDataDescriptor(nameDesc) ? nameDesc.value : '';
    const name = typeof rawName === 'string' ? rawName : '';
    let kind: Extract<ValueNode, { type: 'function' }>['kind'];
    if (isAsyncFunction(fn)) kind = 'async';
    else if (isGeneratorFunction(fn)) kind = 'generator';
    else {
      // The intrinsic Function.prototype.toString returns source text; it runs no user code.
      // Only the head matters (a bundle's function can be megabytes long).
      const source = apply(functionToString, fn, []) as string;
      const head = apply(stringTrimStart, slice(source, 256), []) as string;
      const isNative = source.length <= 256 && (apply(stringIndexOf, head, ['{ [native code] }']) as number) >= 0;
      if (isNative) kind = apply(stringStartsWith, name, ['bound ']) ? 'bound' : 'native';
      else if (matches(/^class(?![\w$])(?!\s*\()/, head)) kind = 'class';
      else if (matches(arrowPattern, head)) kind = 'arrow';
      else kind = 'function';
    }
    return { type: 'function', name, kind };
  };

  const numberNode = (value: number): ValueNode => {
    if (value !== value) return { type: 'number', value: 'NaN' };
    if (value === Infinity) return { type: 'number', value: 'Infinity' };
    if (value === -Infinity) return { type: 'number', value: '-Infinity' };
    if (value === 0 && 1 / value < 0) return { type: 'number', value: '-0' };
    return { type: 'number', value };
  };

  /** True when `proto` is on the prototype chain of `value` (stops at a Proxy: its traps are user code). */
  const inheritsFrom = (value: object, proto: object): boolean => {
    for (let current = getPrototypeOf(value); current !== null; current = getPrototypeOf(current)) {
      if (current === proto) return true;
      if (isProxy(current)) return false;
    }
    return false;
  };

  /**
   * Weak collections and references. WeakRef and FinalizationRegistry have no util.types
   * check: a candidate (by prototype chain, cheap) is confirmed by calling its own
   * intrinsic method, which throws on anything else and runs no user code.
   */
  const weakClass = (value: object): string | null => {
    if (isWeakMap(value)) return 'WeakMap';
    if (isWeakSet(value)) return 'WeakSet';
    if (weakRefDeref && weakRefPrototype && inheritsFrom(value, weakRefPrototype)) {
      try { apply(weakRefDeref, value, []); return 'WeakRef'; } catch { /* not a WeakRef */ }
    }
    if (finalizationUnregister && finalizationPrototype && inheritsFrom(value, finalizationPrototype)) {
      // Unregistering a token that was never registered is a no-op on a real registry.
      try { apply(finalizationUnregister, value, [{}]); return 'FinalizationRegistry'; } catch { /* not one */ }
    }
    return null;
  };

  const boxedValue = (value: object): unknown => {
    if (isNumberObject(value)) return apply(numberValueOf, value, []);
    if (isStringObject(value)) return apply(stringValueOf, value, []);
    if (isBooleanObject(value)) return apply(booleanValueOf, value, []);
    if (isBigIntObject(value)) return apply(bigintValueOf, value, []);
    if (isSymbolObject(value)) return apply(symbolValueOf, value, []);
    return undefined;
  };

  /**
   * Own keys of each object, listed once per value: enumerating the keys of a dictionary-mode
   * object costs O(keys) (about 30 ms per 100,000 keys), and both the tree walk and the size
   * measure need them.
   */
  type KeyCache = Map<object, Array<string | symbol>>;
  const keysOf = (object: object, cache: KeyCache): Array<string | symbol> => {
    let keys = apply(mapGet, cache, [object]) as Array<string | symbol> | undefined;
    if (keys === undefined) {
      keys = ownKeys(object);
      apply(mapSet, cache, [object, keys]);
    }
    return keys;
  };

  // ---- the tree walk ----
  interface Walk {
    budgets: CaptureBudgets;
    /** Nodes left for the current variable's tree. */
    nodesLeft: number;
    /** Approximate JSON characters left for the whole call. */
    output: { left: number };
    /** Objects already shown in this tree, with where. */
    seen: Map<object, string>;
    keys: KeyCache;
  }

  const hasRoom = (walk: Walk): boolean => walk.nodesLeft > 0 && walk.output.left > 0;

  const binaryNode = (value: object): ValueNode | null => {
    let className: string;
    let byteLength: number;
    let length: number;
    let bytes: ArrayLike<number | bigint> | null = null;
    if (isTypedArray(value)) {
      className = classNameOf(value, 'TypedArray');
      byteLength = apply(typedArrayByteLength, value, []) as number;
      length = apply(typedArrayLength, value, []) as number;
      bytes = value as unknown as ArrayLike<number | bigint>;
    } else if (isDataView(value)) {
      className = classNameOf(value, 'DataView');
      byteLength = apply(dataViewByteLength, value, []) as number;
      length = byteLength;
      const offset = apply(dataViewByteOffset, value, []) as number;
      const buffer = apply(dataViewBuffer, value, []) as ArrayBuffer;
      bytes = new Uint8ArrayCtor(buffer, offset, byteLength < BINARY_PREVIEW_ITEMS ? byteLength : BINARY_PREVIEW_ITEMS);
    } else if (isArrayBuffer(value) || (isSharedArrayBuffer(value) && sharedArrayBufferByteLength)) {
      const shared = !isArrayBuffer(value);
      className = classNameOf(value, shared ? 'SharedArrayBuffer' : 'ArrayBuffer');
      byteLength = apply(shared ? (sharedArrayBufferByteLength as AnyFunction) : arrayBufferByteLength, value, []) as number;
      length = byteLength;
      bytes = new Uint8ArrayCtor(value as ArrayBuffer, 0, byteLength < BINARY_PREVIEW_ITEMS ? byteLength : BINARY_PREVIEW_ITEMS);
    } else {
      return null;
    }
    const preview: number[] = [];
    const shown = length < BINARY_PREVIEW_ITEMS ? length : BINARY_PREVIEW_ITEMS;
    for (let i = 0; i < shown; i++) {
      const element = bytes[i];
      append(preview, typeof element === 'bigint' ? NumberCtor(element) : (element as number));
    }
    return { type: 'binary', className, byteLength, length, preview, truncated: length > shown };
  };

  const depthSummary = (value: object): ValueNode => {
    if (isArray(value)) {
      const className = classNameOf(value, 'Array');
      return { type: 'depth-limit', className, summary: `${className}(${(value as unknown[]).length})` };
    }
    if (isMap(value)) {
      const className = classNameOf(value, 'Map');
      return { type: 'depth-limit', className, summary: `${className}(${apply(mapSize, value, []) as number})` };
    }
    if (isSet(value)) {
      const className = classNameOf(value, 'Set');
      return { type: 'depth-limit', className, summary: `${className}(${apply(setSize, value, []) as number})` };
    }
    const className = classNameOf(value, 'Object');
    return { type: 'depth-limit', className, summary: `${className} {…}` };
  };

  /** A property's value node from its descriptor: accessors are shown, never invoked. */
  const fromDescriptor = (desc: PropertyDescriptor, path: string, level: number, walk: Walk): ValueNode => {
    if (!isDataDescriptor(desc)) {
      walk.nodesLeft--;
      walk.output.left -= NODE_COST;
      return { type: 'accessor', hasGetter: typeof desc.get === 'function', hasSetter: typeof desc.set === 'function' };
    }
    return serialize(desc.value, path, level, walk);
  };

  const serialize = (value: unknown, path: string, level: number, walk: Walk): ValueNode => {
    walk.nodesLeft--;
    walk.output.left -= NODE_COST;
    switch (typeof value) {
      case 'string': {
        const room = walk.output.left > 0 ? walk.output.left : 0;
        const budget = walk.budgets.stringLength < room ? walk.budgets.stringLength : room;
        const kept = value.length <= budget ? value : slice(value, budget);
        walk.output.left -= kept.length;
        return { type: 'string', value: kept, length: value.length, truncated: kept.length < value.length };
      }
      case 'number': return numberNode(value);
      case 'bigint': return { type: 'bigint', value: '' + value };
      case 'boolean': return { type: 'boolean', value };
      case 'undefined': return { type: 'undefined' };
      case 'symbol': return { type: 'symbol', description: describeSymbol(value) };
      case 'function':
        if (isProxy(value)) return { type: 'proxy' };
        return functionNode(value as AnyFunction);
      default: break;
    }
    if (value === null) return { type: 'null' };
    const object = value as object;
    // Before anything touches it: a Proxy's traps are user code.
    if (isProxy(object)) return { type: 'proxy' };
    const earlier = apply(mapGet, walk.seen, [object]) as string | undefined;
    if (earlier !== undefined) return { type: 'ref', path: earlier };

    const binary = binaryNode(object);
    if (binary) return binary;
    if (isDate(object)) {
      const time = apply(dateGetTime, object, []) as number;
      return { type: 'date', iso: time === time ? (apply(dateToISOString, object, []) as string) : null };
    }
    if (isRegExp(object)) {
      let flags = '';
      for (let i = 0; i < regExpFlagGetters.length; i++) {
        const entry = regExpFlagGetters[i];
        if (entry[1] && apply(entry[1], object, [])) flags += entry[0];
      }
      const source = apply(regExpSource, object, []) as string;
      walk.output.left -= source.length;
      return { type: 'regexp', source, flags };
    }
    if (isNativeError(object)) {
      const message = ownDataString(object, 'message') ?? '';
      // Reading an unformatted stack runs Node's formatter, which calls a user's prepareStackTrace
      // and reads the header fields through the prototype chain: only read it when neither can.
      const stack = stackFormatIsNodes() && errorHeaderIsData(object) ? ownStackString(object) : null;
      const limit = walk.budgets.stringLength * 10;
      const keptStack = stack !== null && stack.length > limit ? slice(stack, limit) : stack;
      const keptMessage = message.length > walk.budgets.stringLength ? slice(message, walk.budgets.stringLength) : message;
      walk.output.left -= keptMessage.length + (keptStack ? keptStack.length : 0);
      return { type: 'error', className: classNameOf(object, 'Error'), message: keptMessage, stack: keptStack };
    }
    if (isPromise(object)) {
      return { type: 'promise', state: 'unknown', value: null };
    }
    const weak = weakClass(object);
    if (weak) return { type: 'weak', className: weak };

    // The root is level 0; `depth` levels below it are expanded.
    if (level > walk.budgets.depth) return depthSummary(object);
    apply(mapSet, walk.seen, [object, path]);

    if (isArray(object)) return arrayNode(object as unknown[], path, level, walk);
    if (isMap(object)) return mapNode(object as Map<unknown, unknown>, path, level, walk);
    if (isSet(object)) return setNode(object as Set<unknown>, path, level, walk);
    return objectNode(object, path, level, walk);
  };

  const arrayNode = (array: unknown[], path: string, level: number, walk: Walk): ValueNode => {
    const length = array.length;
    const items: ValueNode[] = [];
    let truncated = false;
    for (let i = 0; i < length; i++) {
      if (i >= walk.budgets.items || !hasRoom(walk)) { truncated = true; break; }
      const desc = getOwnPropertyDescriptor(array, i);
      // A hole reads as undefined, as in JavaScript.
      append(items, desc ? fromDescriptor(desc, `${path}[${i}]`, level + 1, walk) : serialize(undefined, '', level + 1, walk));
    }
    return { type: 'array', className: classNameOf(array, 'Array'), length, items, truncated };
  };

  const mapNode = (map: Map<unknown, unknown>, path: string, level: number, walk: Walk): ValueNode => {
    const size = apply(mapSize, map, []) as number;
    const entries: MapEntryNode[] = [];
    let truncated = false;
    const iterator = apply(mapEntries, map, []) as object;
    for (let i = 0; ; i++) {
      const step = apply(mapIteratorNext, iterator, []) as IteratorResult<[unknown, unknown]>;
      if (step.done) break;
      if (i >= walk.budgets.items || !hasRoom(walk)) { truncated = true; break; }
      const pair = step.value;
      const key = serialize(pair[0], `${path}[[entries]][${i}].key`, level + 1, walk);
      const value = serialize(pair[1], `${path}[[entries]][${i}].value`, level + 1, walk);
      append(entries, { key, value });
    }
    return { type: 'map', className: classNameOf(map, 'Map'), size, entries, truncated };
  };

  const setNode = (set: Set<unknown>, path: string, level: number, walk: Walk): ValueNode => {
    const size = apply(setSize, set, []) as number;
    const items: ValueNode[] = [];
    let truncated = false;
    const iterator = apply(setValues, set, []) as object;
    for (let i = 0; ; i++) {
      const step = apply(setIteratorNext, iterator, []) as IteratorResult<unknown>;
      if (step.done) break;
      if (i >= walk.budgets.items || !hasRoom(walk)) { truncated = true; break; }
      append(items, serialize(step.value, `${path}[[items]][${i}]`, level + 1, walk));
    }
    return { type: 'set', className: classNameOf(set, 'Set'), size, items, truncated };
  };

  const objectNode = (object: object, path: string, level: number, walk: Walk): ValueNode => {
    const properties: PropertyNode[] = [];
    let truncated = false;
    if (isBoxedPrimitive(object)) {
      append(properties, { name: '[[PrimitiveValue]]', value: serialize(boxedValue(object), `${path}[[PrimitiveValue]]`, level + 1, walk) });
    }
    const keys = keysOf(object, walk.keys);
    let listed = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      let desc: Descriptor;
      try {
        desc = getOwnPropertyDescriptor(object, key);
      } catch {
        // A module namespace's binding still in its temporal dead zone.
        if (listed >= walk.budgets.items || !hasRoom(walk)) { truncated = true; break; }
        append(properties, { name: propertyLabel(key), value: { type: 'uninitialized' } });
        listed++;
        walk.nodesLeft--;
        continue;
      }
      if (!desc || !desc.enumerable) continue;
      if (listed >= walk.budgets.items || !hasRoom(walk)) { truncated = true; break; }
      const name = propertyLabel(key);
      walk.output.left -= name.length;
      append(properties, { name, value: fromDescriptor(desc, childPath(path, key), level + 1, walk) });
      listed++;
    }
    const fallback = isModuleNamespaceObject(object) ? 'Module' : 'Object';
    return { type: 'object', className: classNameOf(object, fallback), properties, truncated };
  };

  // ---- size measure ----
  const stringBytes = (text: string, result: SizeMeasure): number => {
    if (text.length > MEASURE_EXACT_STRING_CHARS) {
      result.exact = false;
      return text.length;
    }
    return bufferByteLength(text, 'utf8');
  };

  /**
   * One size measurement under way: the work stack (a null-prototype object: plain index writes
   * cannot reach an inherited setter, and unlike defineProperty on an array they stay on V8's
   * fast path), its top, the visits left. Passed around rather than closed over, so that a
   * measurement creates no function.
   */
  interface Measuring {
    result: SizeMeasure;
    stack: Record<number, unknown>;
    top: number;
    visits: number;
    cache: KeyCache;
  }

  /** Queues a value to visit; false once the visit budget is full (the total is then a lower bound). */
  const push = (state: Measuring, value: unknown): boolean => {
    if (state.top >= state.visits) {
      state.result.exact = false;
      return false;
    }
    state.stack[state.top++] = value;
    return true;
  };

  /** Own key count plus the values of own data properties (accessors are never run). */
  const measureKeys = (value: object, state: Measuring): void => {
    let keys: Array<string | symbol>;
    try { keys = keysOf(value, state.cache); } catch { state.result.exact = false; return; }
    state.result.total += keys.length;
    for (let i = 0; i < keys.length; i++) {
      let desc: Descriptor;
      try { desc = getOwnPropertyDescriptor(value, keys[i]); } catch { continue; }
      if (desc && isDataDescriptor(desc) && !push(state, desc.value)) break;
    }
  };

  /**
   * An array's length plus what its present elements hold. Indices are probed up to the visit
   * budget; past that, a dense array has filled the budget already, and a sparse one (holes,
   * `length` set far beyond its elements) is walked by its own keys, which V8 lists from the
   * elements it stores: the cost follows the elements present, never `length`.
   */
  const measureArray = (array: unknown[], state: Measuring): void => {
    const length = array.length;
    state.result.total += length;
    const probes = length < MEASURE_VISIT_BUDGET ? length : MEASURE_VISIT_BUDGET;
    let holes = 0;
    for (let i = 0; i < probes; i++) {
      const desc = getOwnPropertyDescriptor(array, i);
      if (!desc) holes++;
      else if (isDataDescriptor(desc) && !push(state, desc.value)) return;
    }
    if (probes === length) return;
    if (holes * 8 < probes * 7) {
      // Mostly present: listing every key would cost as much as the array is long.
      state.result.exact = false;
      return;
    }
    // Own keys list the array indices first, in ascending order, then `length`.
    const keys = keysOf(array, state.cache);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      if (key === 'length' || typeof key !== 'string') return;
      if (NumberCtor(key) < probes) continue;
      const desc = getOwnPropertyDescriptor(array, key);
      if (desc && isDataDescriptor(desc) && !push(state, desc.value)) return;
    }
  };

  /**
   * Array length, Map/Set size, UTF-8 bytes of strings, byteLength of binaries, own key
   * count of objects, plus the same for everything reachable below (each object once).
   * Iterative with an explicit stack and a visit budget, so huge or deep values stay cheap.
   */
  const measure = (root: unknown, cache: KeyCache): SizeMeasure => {
    const result: SizeMeasure = { total: 0, exact: true };
    // Not an object (most of module scope: numbers, strings, functions): nothing to walk, so no stack and no visited set.
    if (typeof root !== 'object' || root === null) {
      if (typeof root === 'string') result.total = stringBytes(root, result);
      return result;
    }
    const state: Measuring = { result, stack: createNullObject() as Record<number, unknown>, top: 0, visits: MEASURE_VISIT_BUDGET, cache };
    const stack = state.stack;
    stack[state.top++] = root;
    const visited = new SetCtor<object>();
    while (state.top > 0) {
      const value = stack[--state.top];
      stack[state.top] = undefined;
      if (state.visits-- <= 0) { result.exact = false; break; }
      if (typeof value === 'string') { result.total += stringBytes(value, result); continue; }
      if (typeof value !== 'object' || value === null) continue; // numbers, functions, symbols...: 0
      if (isProxy(value)) { result.exact = false; continue; }
      if (apply(setHas, visited, [value])) continue;
      apply(setAdd, visited, [value]);
      const proto = getPrototypeOf(value);
      if (proto === objectPrototype || proto === null) {
        // Fast path for plain objects (the common case): no built-in type checks needed.
        measureKeys(value, state);
      } else if (isArray(value)) {
        measureArray(value as unknown[], state);
      } else if (isMap(value)) {
        result.total += apply(mapSize, value, []) as number;
        const iterator = apply(mapEntries, value, []) as object;
        for (;;) {
          const step = apply(mapIteratorNext, iterator, []) as IteratorResult<[unknown, unknown]>;
          if (step.done || !push(state, step.value[0]) || !push(state, step.value[1])) break;
        }
      } else if (isSet(value)) {
        result.total += apply(setSize, value, []) as number;
        const iterator = apply(setValues, value, []) as object;
        for (;;) {
          const step = apply(setIteratorNext, iterator, []) as IteratorResult<unknown>;
          if (step.done || !push(state, step.value)) break;
        }
      } else if (isTypedArray(value)) {
        result.total += apply(typedArrayByteLength, value, []) as number;
      } else if (isDataView(value)) {
        result.total += apply(dataViewByteLength, value, []) as number;
      } else if (isArrayBuffer(value)) {
        result.total += apply(arrayBufferByteLength, value, []) as number;
      } else if (isSharedArrayBuffer(value) && sharedArrayBufferByteLength) {
        result.total += apply(sharedArrayBufferByteLength, value, []) as number;
      } else if (isDate(value) || isRegExp(value) || isPromise(value) || isNativeError(value) || weakClass(value)) {
        continue;
      } else {
        measureKeys(value, state);
      }
    }
    return result;
  };

  /**
   * `unwalked`: the tables given to a value that is not an object (a number, a string, a
   * function: most of module scope). serialize and measure return before they reach the walk's
   * tables for such a value, so one pair per capture call stands in for a fresh pair each.
   */
  const captureOne = (value: unknown, budgets: CaptureBudgets, output: { left: number }, unwalked: { seen: Map<object, string>; keys: KeyCache }): CapturedValue => {
    const walked = typeof value === 'object' && value !== null;
    const keys: KeyCache = walked ? new MapCtor() : unwalked.keys;
    const walk: Walk = { budgets, nodesLeft: budgets.nodes, output, seen: walked ? new MapCtor<object, string>() : unwalked.seen, keys };
    let node: ValueNode;
    try {
      node = serialize(value, '$', 0, walk);
    } catch (error) {
      // Only the engine itself can throw here (user code never runs); keep the other values.
      node = { type: 'depth-limit', className: 'unknown', summary: `capture failed: ${messageOf(error)}` };
    }
    let size: SizeMeasure;
    try {
      size = measure(value, keys);
    } catch {
      size = { total: 0, exact: false };
    }
    return { value: node, size };
  };

  return (budgets: CaptureBudgets, values: unknown[]): CapturedValue[] => {
    const output = { left: OUTPUT_CHAR_BUDGET };
    const results: CapturedValue[] = [];
    // The callers' own arrays; anything else (a Proxy passed by forged hook calls) gives nothing.
    if (!isArray(values) || isProxy(values)) return results;
    const unwalked = { seen: new MapCtor<object, string>(), keys: new MapCtor() as KeyCache };
    for (let i = 0; i < values.length; i++) append(results, captureOne(hasOwn(values, i) ? values[i] : undefined, budgets, output, unwalked));
    return results;
  };
}

