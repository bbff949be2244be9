// Time rendering the way the apiserver and kubectl print it: ages in Table
// cells (apimachinery's duration.HumanDuration / ShortHumanDuration) and the
// two timestamp encodings of metav1.Time (whole seconds) and metav1.MicroTime.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's int(x) and integer division truncate toward zero. */
function trunc(x: number): number {
  return Math.trunc(x);
}

/**
 * Seconds as Go computes int(d.Seconds()). A deviation of up to 2 s (excluded)
 * into the future counts as "now", to tolerate clock skew between machines.
 */
function clockSkew(ms: number): string | null {
  const seconds = trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  return null;
}

/**
 * Duration with ~2-3 significant figures, as in Table "AGE" cells:
 * "45s", "119s", "5m10s", "179m", "3h5m", "47h", "2d5h", "300d", "2y45d", "9y".
 */
export function humanDuration(ms: number): string {
  const skew = clockSkew(ms);
  if (skew) return skew;
  const seconds = trunc(ms / SECOND);
  if (seconds < 2 * 60) return `${seconds}s`;

  const minutes = trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 3 * 60) return `${minutes}m`;

  const hours = trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** One unit only: "59s", "59m", "23h", "364d", "2y" (used by a few older printers). */
export function shortHumanDuration(ms: number): string {
  const skew = clockSkew(ms);
  if (skew) return skew;
  const seconds = trunc(ms / SECOND);
  if (seconds < 60) return `${seconds}s`;
  const minutes = trunc(ms / MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = trunc(ms / HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${trunc(hours / 24)}d`;
  return `${trunc(hours / 24 / 365)}y`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp (fractional seconds optional) to epoch ms, or
 * null when it is not one. Stricter than Date.parse, which accepts almost
 * anything and would turn garbage into a plausible age.
 */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  let ms = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 Feb over into March; a real parser rejects it.
  if (new Date(ms).getUTCDate() !== day) return null;
  if (frac) ms += Math.floor(Number(`0${frac}`) * 1000);
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const offset = Number(zone.slice(1, 3)) * HOUR + Number(zone.slice(4, 6)) * MINUTE;
    ms -= sign * offset;
  }
  return ms;
}

/** The AGE cell of a row: "<unknown>" without a creationTimestamp, as kubectl's printers do. */
export function renderAge(creationTimestamp: string | undefined, now: number): string {
  if (!creationTimestamp) return '<unknown>';
  const t = parseRfc3339(creationTimestamp);
  if (t === null) return '<unknown>';
  return humanDuration(now - t);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function utcParts(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
}

/** metav1.Time encoding: RFC 3339 in UTC, sub-second part truncated ("2026-11-23T10:00:00Z"). */
export function rfc3339(ms: number): string {
  return `${utcParts(Math.floor(ms / SECOND) * SECOND)}Z`;
}

/**
 * metav1.MicroTime encoding: always six fractional digits
 * ("2026-11-23T10:00:00.123000Z"); events and leases use it and clients parse it strictly.
 */
export function microTime(ms: number): string {
  const micros = Math.round(ms * 1000);
  const wholeSeconds = Math.floor(micros / 1e6);
  const fraction = micros - wholeSeconds * 1e6;
  return `${utcParts(wholeSeconds * SECOND)}.${pad(fraction, 6)}Z`;
}
