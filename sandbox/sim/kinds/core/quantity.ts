// Resource quantities ("500m", "1Gi", "2", "1e3") as numbers, for comparisons
// such as QoS classes and request/limit checks.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/** The value of a quantity, or undefined when the text is not a valid quantity. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = QUANTITY.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix in BINARY) return n * BINARY[suffix];
  if (suffix in DECIMAL) return n * DECIMAL[suffix];
  return n * 10 ** Number(suffix.slice(1));
}

/** Compares two quantities: negative, zero or positive; NaN-safe (invalid counts as 0). */
export function compareQuantities(a: unknown, b: unknown): number {
  const x = parseQuantity(a) ?? 0;
  const y = parseQuantity(b) ?? 0;
  // Quantities are exact in the apiserver; tolerate float noise from unit scaling.
  const eps = Math.max(Math.abs(x), Math.abs(y)) * 1e-12;
  return Math.abs(x - y) <= eps ? 0 : x - y;
}
