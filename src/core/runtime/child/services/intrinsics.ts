/**
 * The built-ins that the runtime and capture call once user code has loaded, saved when this
 * module is evaluated: at the start of every child bundle (the runtime, the cloud probe), before
 * any module of the user's. User code may replace any global or prototype method later
 * (Array.prototype.push, JSON.stringify, Date.now, fs.writeSync...), define index setters on
 * Array.prototype or getters on Object.prototype: none of that may run inside capture, the
 * records or the message channel (docs/security.md, "Capture and user code").
 *
 * Rules for the code that uses them: call built-ins only through these references (methods with
 * `apply`); build arrays with `append` (a plain `list[i] = x` or `push` reaches an inherited
 * setter or a replaced method); read only own data properties of objects that may lack a key
 * (`ownValue`, `itemAt`: a missing key is looked up on the prototype, where a getter may sit);
 * no spread, array destructuring or for-of over arrays (they call the replaceable iterator).
 */
import * as fs from 'node:fs';
import { types } from 'node:util';

export const apply = Reflect.apply;
export const ownKeys = Reflect.ownKeys;
export const getOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor as (target: object, key: PropertyKey) => PropertyDescriptor | undefined;
export const defineProperty = Reflect.defineProperty;
export const getPrototypeOf = Reflect.getPrototypeOf as (target: object) => object | null;
export const objectKeys = Object.keys;
export const hasOwn = Object.hasOwn;
export const objectCreate = Object.create;
export const freeze = Object.freeze;
export const seal = Object.seal;
export const objectPrototype: object = Object.prototype;
export const arrayPrototype: object = Array.prototype;
export const isArray = Array.isArray;
export const isProxy = types.isProxy;
/** Safe on string primitives only: they are never asked for `toJSON` (json-encode.ts). */
export const jsonStringify = JSON.stringify;
/** Builds fresh plain data (own data properties only) and calls nothing of the user's. */
export const jsonParse = JSON.parse as (text: string) => unknown;
export const StringCtor = String;
export const NumberCtor = Number;
export const MapCtor = Map;
export const SetCtor = Set;
export const PromiseCtor = Promise;
export const Uint8ArrayCtor = Uint8Array;
export const ArrayBufferCtor = ArrayBuffer;
export const ErrorCtor = Error;
export const realmGlobal: typeof globalThis = globalThis;
export const mathMax = Math.max;
export const dateNow = Date.now;
export const DateCtor = Date;
export const dateToISOString = Date.prototype.toISOString;
export const setTimeoutSaved = setTimeout;
export const setIntervalSaved = setInterval;
export const clearIntervalSaved = clearInterval;
export const setImmediateSaved = setImmediate;

const stringSliceMethod = String.prototype.slice;
const stringIndexOfMethod = String.prototype.indexOf;
const stringStartsWithMethod = String.prototype.startsWith;

// ---- the process, the pipe and the clock ----
const processObject = process;
const uptime = process.uptime;
const memoryUsage = process.memoryUsage;
const resourceUsage = process.resourceUsage;
const kill = process.kill;
const exit = process.exit;
const originalPpid = process.ppid;
export const fsRead = fs.read;
export const fsReadSync = fs.readSync;
export const fsWriteSync = fs.writeSync;
const textEncoder = new TextEncoder();
const encodeMethod = TextEncoder.prototype.encode;
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const decodeMethod = TextDecoder.prototype.decode;
const typedArrayPrototype = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayIndexOf = (typedArrayPrototype as Uint8Array).indexOf;
const typedArrayLength = getOwnPropertyDescriptor(typedArrayPrototype, 'length')?.get as (this: Uint8Array) => number;
const typedArraySet = (typedArrayPrototype as Uint8Array).set;

/** Milliseconds since the process started (what `performance.now()` counts). */
export function nowMs(): number {
  return (apply(uptime, processObject, []) as number) * 1000;
}

export function processMemory(): { rss: number; heapUsed: number; external: number } {
  const usage = apply(memoryUsage, processObject, []) as NodeJS.MemoryUsage;
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external };
}

/** Peak resident memory in bytes (process.resourceUsage().maxRSS is in KiB). */
export function maxRssBytes(): number {
  return (apply(resourceUsage, processObject, []) as NodeJS.ResourceUsage).maxRSS * 1024;
}

export function killSelf(signal: NodeJS.Signals): void {
  apply(kill, processObject, [processObject.pid, signal]);
}

export function exitProcess(code: number): never {
  return apply(exit, processObject, [code]) as never;
}

/**
 * The parent's pid as the kernel reports it now (POSIX re-parents an orphan). Node's `ppid` is a
 * native data property computed at each read, its descriptor's value too; a getter user code put
 * in its place is not run (the pid read at start stands in).
 */
export function parentPid(): number {
  const descriptor = getOwnPropertyDescriptor(processObject, 'ppid');
  return descriptor && hasOwn(descriptor, 'value') ? (descriptor.value as number) : originalPpid;
}

export function isoNow(): string {
  return apply(dateToISOString, new DateCtor(), []) as string;
}

/** UTF-8 bytes of `text`, with an own `byteLength` so that fs never reads the (replaceable) prototype getter. */
export function utf8Bytes(text: string): Uint8Array {
  return ownByteLength(apply(encodeMethod, textEncoder, [text]) as Uint8Array);
}

export function utf8Text(bytes: Uint8Array): string {
  return apply(decodeMethod, textDecoder, [bytes]) as string;
}

/** Elements of a typed array, by the intrinsic getter (`.length` is looked up on replaceable prototypes). */
export function byteCount(bytes: Uint8Array): number {
  return apply(typedArrayLength, bytes, []) as number;
}

/** fs.read and fs.writeSync read `buffer.byteLength`: an own data property answers without the prototype. */
export function ownByteLength(bytes: Uint8Array): Uint8Array {
  defineProperty(bytes, 'byteLength', { __proto__: null, value: byteCount(bytes) } as PropertyDescriptor);
  return bytes;
}

/** Index of `byte` in `bytes` from `from`, or -1 (the intrinsic typed-array search, not Buffer's). */
export function byteIndexOf(bytes: Uint8Array, byte: number, from: number): number {
  return apply(typedArrayIndexOf, bytes, [byte, from]) as number;
}

export function copyBytes(target: Uint8Array, source: Uint8Array, offset: number): void {
  apply(typedArraySet, target, [source, offset]);
}

// ---- plain data without the prototypes ----
/**
 * The descriptor `append` defines elements with: null-prototype, because defineProperty looks
 * each descriptor field up through the prototype chain (a `get` getter on Object.prototype would
 * run). Reused: defineProperty runs no code of anyone's, so `append` never re-enters.
 */
const elementDescriptor = objectCreate(null) as PropertyDescriptor;
elementDescriptor.writable = true;
elementDescriptor.enumerable = true;
elementDescriptor.configurable = true;

/**
 * Appends without `push` and without an assignment an inherited index setter could catch.
 * A plain assignment when no prototype of the list has that index at all (so no setter is
 * there to catch it): what a program normally leaves alone, and several times cheaper than
 * defineProperty, which capture calls for every node it builds. The checks read own keys only
 * and run no code of anyone's; whenever one fails, defineProperty as before.
 */
export function append<T>(list: T[], item: T): void {
  const index = list.length;
  if (getPrototypeOf(list) === arrayPrototype && getPrototypeOf(arrayPrototype) === objectPrototype && !hasOwn(arrayPrototype, index) && !hasOwn(objectPrototype, index)) {
    list[index] = item;
    return;
  }
  elementDescriptor.value = item;
  defineProperty(list, index, elementDescriptor);
  elementDescriptor.value = undefined;
}

/** `list[index]` when it is an own element, else undefined (never an inherited index getter). */
export function itemAt<T>(list: readonly T[], index: number): T | undefined {
  return index < list.length && hasOwn(list, index) ? list[index] : undefined;
}

/** An own data property's value, else undefined: getters and inherited properties are never read. */
export function ownValue(object: unknown, key: PropertyKey): unknown {
  if ((typeof object !== 'object' && typeof object !== 'function') || object === null || isProxy(object)) return undefined;
  const descriptor = getOwnPropertyDescriptor(object, key);
  return descriptor && hasOwn(descriptor, 'value') ? descriptor.value : undefined;
}

/** The message of something our own code threw (an engine error), read as own data only. */
export function messageOf(error: unknown): string {
  const message = ownValue(error, 'message');
  return typeof message === 'string' ? message : 'unknown error';
}

export function sliceText(text: string, start: number, end?: number): string {
  return apply(stringSliceMethod, text, end === undefined ? [start] : [start, end]) as string;
}

export function startsWithText(text: string, prefix: string): boolean {
  return apply(stringStartsWithMethod, text, [prefix]) as boolean;
}

export function indexOfText(text: string, search: string, from = 0): number {
  return apply(stringIndexOfMethod, text, [search, from]) as number;
}

export function splitText(text: string, separator: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (;;) {
    const at = indexOfText(text, separator, from);
    if (at < 0) break;
    append(parts, sliceText(text, from, at));
    from = at + separator.length;
  }
  append(parts, sliceText(text, from));
  return parts;
}

export function joinText(parts: readonly string[], separator: string): string {
  let text = '';
  for (let i = 0; i < parts.length; i++) text += (i === 0 ? '' : separator) + (itemAt(parts, i) ?? '');
  return text;
}
