// Deep copies of API objects. Objects are plain JSON data, and a recursive
// copy of plain objects and arrays is several times faster than
// structuredClone, which serializes through V8's value format: the simulator
// copies objects on every write and in every controller, in every cluster.

/** A deep copy, like structuredClone; anything but plain objects, arrays and primitives goes through structuredClone. */
export function jsonClone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = jsonClone(value[i] as unknown);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = jsonClone((value as Record<string, unknown>)[key]);
  return out as T;
}
