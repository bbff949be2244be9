// Durations as Kubernetes writes them (metav1.Duration, e.g. a
// MachineHealthCheck's unhealthy condition timeout): Go's time.ParseDuration.

/** Seconds per unit Go accepts (µ is U+00B5, μ U+03BC; Go takes both). */
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** One component: a decimal number (digits before or after the point) and its unit. */
const COMPONENT = /(\d+(?:\.\d*)?|\.\d+)([^\d.]+)/y;

/**
 * A Go duration ("300s", "5m", "5m0s", "1h30m", "1.5h", "-2s", "0") in
 * seconds, or undefined when Go would reject it (no unit, unknown unit,
 * empty). Precise to the nanosecond, like time.Duration.
 */
export function durationSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  const body = /^[+-]/.test(text) ? text.slice(1) : text;
  // Go's special case: a lone zero needs no unit.
  if (body === '0') return 0;
  if (body === '') return undefined;
  let total = 0;
  COMPONENT.lastIndex = 0;
  let end = 0;
  for (let m = COMPONENT.exec(body); m; m = COMPONENT.exec(body)) {
    const unit = UNIT_SECONDS[m[2]];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    end = COMPONENT.lastIndex;
  }
  if (end !== body.length) return undefined;
  return sign * (Math.round(total * 1e9) / 1e9);
}
