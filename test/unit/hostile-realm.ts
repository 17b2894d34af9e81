/**
 * A hostile program's changes to the built-ins, for the serializer suite: every replacement
 * counts the calls made while `run` is under way and otherwise behaves as the original, so the
 * test process keeps working; `dispose` puts everything back.
 */
const apply = Reflect.apply;
const construct = Reflect.construct;
const defineProperty = Object.defineProperty;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const setPrototypeOf = Object.setPrototypeOf;

/**
 * Descriptors without a prototype: once Object.prototype has a `get` accessor, defineProperty
 * would find it on any ordinary descriptor object (and refuse a `value` beside it).
 */
function bare(descriptor: PropertyDescriptor): PropertyDescriptor {
  return setPrototypeOf(descriptor, null) as PropertyDescriptor;
}

export class HostileRealm {
  /** Calls per replacement, made while `run` was under way. */
  readonly calls: Record<string, number> = Object.create(null) as Record<string, number>;
  private armed = false;
  private readonly undo: Array<() => void> = [];

  private count(label: string): void {
    if (this.armed) this.calls[label] = (this.calls[label] ?? 0) + 1;
  }

  private replace(target: object, key: PropertyKey, descriptor: PropertyDescriptor): void {
    const original = getOwnPropertyDescriptor(target, key);
    descriptor.configurable = true;
    defineProperty(target, key, bare(descriptor));
    this.undo.push(() => {
      if (original) defineProperty(target, key, bare(original));
      else delete (target as Record<PropertyKey, unknown>)[key];
    });
  }

  /** `target[key]` becomes a counting wrapper of the original method. */
  method(target: object, key: PropertyKey, label: string): this {
    const original = (target as Record<PropertyKey, unknown>)[key] as (...args: unknown[]) => unknown;
    // A bound method, not an arrow: the test runner names every arrow it compiles with defineProperty,
    // which fails once Object.prototype has `get` and `value` accessors.
    const count = this.count.bind(this, label);
    this.replace(target, key, {
      writable: true,
      enumerable: false,
      value: function (this: unknown, ...args: unknown[]) {
        count();
        return new.target ? construct(original, args) : apply(original, this, args);
      },
    });
    return this;
  }

  /** A counting getter (and setter) for `key` on a prototype, where no own property of that name was. */
  accessor(target: object, key: PropertyKey, label: string): this {
    // A bound method, not an arrow: the test runner names every arrow it compiles with defineProperty,
    // which fails once Object.prototype has `get` and `value` accessors.
    const count = this.count.bind(this, label);
    this.replace(target, key, {
      enumerable: false,
      get() {
        count();
        return undefined;
      },
      set(this: object, value: unknown) {
        count();
        defineProperty(this, key, bare({ value, writable: true, enumerable: true, configurable: true }));
      },
    });
    return this;
  }

  /** `holder[key]` replaced by `value` (a global, a static method). */
  value(holder: object, key: PropertyKey, value: unknown): this {
    this.replace(holder, key, { writable: true, enumerable: false, value });
    return this;
  }

  /** A counting function standing for a replaced global function. */
  counter(label: string, result?: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
    return (...args: unknown[]) => {
      this.count(label);
      return result?.(...args);
    };
  }

  run<T>(action: () => T): T {
    this.armed = true;
    try {
      return action();
    } finally {
      this.armed = false;
    }
  }

  dispose(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]?.();
    this.undo.length = 0;
  }

  /** The usual suspects: array methods, iterators and index accessors, Object.prototype getters, JSON, string splitting. */
  static patchEverything(): HostileRealm {
    const realm = new HostileRealm();
    try {
      for (const key of ['push', 'pop', 'map', 'forEach', 'join', 'slice', 'concat', 'includes', 'indexOf', 'filter', 'some', 'entries', 'keys', 'values', Symbol.iterator]) {
        realm.method(Array.prototype, key, `Array.prototype.${String(key)}`);
      }
      for (const key of ['split', 'slice', 'indexOf', 'startsWith', 'trimStart', 'replace']) realm.method(String.prototype, key, `String.prototype.${key}`);
      realm.method(RegExp.prototype, Symbol.split, 'RegExp.prototype[Symbol.split]');
      realm.method(RegExp.prototype, 'exec', 'RegExp.prototype.exec');
      realm.method(JSON, 'stringify', 'JSON.stringify');
      realm.method(JSON, 'parse', 'JSON.parse');
      realm.method(Object, 'keys', 'Object.keys');
      realm.method(Map.prototype, 'get', 'Map.prototype.get');
      realm.method(Map.prototype, 'set', 'Map.prototype.set');
      realm.method(Set.prototype, 'add', 'Set.prototype.add');
      realm.method(Set.prototype, 'has', 'Set.prototype.has');
      realm.method(Function.prototype, 'call', 'Function.prototype.call');
      realm.method(globalThis, 'Set', 'Set');
      realm.method(globalThis, 'Number', 'Number');
      realm.method(Date, 'now', 'Date.now');
      realm.method(Math, 'max', 'Math.max');
      for (let index = 0; index < 6; index++) realm.accessor(Array.prototype, index, `Array.prototype[${index}]`);
      // Last: from here on, any ordinary descriptor object defineProperty is given finds these.
      for (const key of ['property', 'error', 'then', 'toJSON', 'message', 'code', 'stack', 'kind', 'binding', 'size', 'type', 'length', '0', '1', 'get', 'set', 'value', 'writable', 'enumerable', 'configurable']) {
        realm.accessor(Object.prototype, key, `Object.prototype.${key}`);
      }
      return realm;
    } catch (error) {
      realm.dispose();
      throw error;
    }
  }
}
