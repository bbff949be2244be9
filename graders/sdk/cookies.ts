// A cookie jar like `curl -b jar -c jar` for one site: it keeps name=value
// pairs from Set-Cookie and sends them back. Domain, Path, Secure and the
// other attributes are ignored (graders talk to one host per jar); only
// deletion matters, because a router that re-balances a request replaces or
// expires the sticky cookie.

import type { CookieJar } from './types.ts';

export interface SetCookie {
  name: string;
  value: string;
  /** Max-Age in seconds, when given (≤ 0 deletes the cookie). */
  maxAge?: number;
  /** Expires, when given and parseable. */
  expires?: Date;
}

/** Parses one Set-Cookie header value; undefined when it has no name=value pair. */
export function parseSetCookie(header: string): SetCookie | undefined {
  const [pair, ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  if (name === '') return undefined;
  let value = pair.slice(eq + 1).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  const cookie: SetCookie = { name, value };
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : attr.slice(i + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(val)) cookie.maxAge = Number(val);
    else if (key === 'expires') {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) cookie.expires = new Date(t);
    }
  }
  return cookie;
}

/** The jar behind ExternalHttp.newJar(); http.ts reads and fills it. */
class MemoryCookieJar implements CookieJar {
  readonly #cookies = new Map<string, string>();

  get cookies(): ReadonlyMap<string, string> {
    return this.#cookies;
  }

  clear(): void {
    this.#cookies.clear();
  }

  /** Applies Set-Cookie values received at `now` (ms): store, replace or delete. */
  store(setCookies: string[], now: number): void {
    for (const header of setCookies) {
      const c = parseSetCookie(header);
      if (!c) continue;
      // Max-Age wins over Expires (RFC 6265 §5.3 step 3).
      const expired = c.maxAge !== undefined ? c.maxAge <= 0 : c.expires !== undefined && c.expires.getTime() <= now;
      if (expired) this.#cookies.delete(c.name);
      else this.#cookies.set(c.name, c.value);
    }
  }

  /** The Cookie request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

export function createCookieJar(): CookieJar {
  return new MemoryCookieJar();
}

function own(jar: CookieJar): MemoryCookieJar {
  if (!(jar instanceof MemoryCookieJar)) throw new TypeError('cookie jar was not made by this SDK: use http.newJar()');
  return jar;
}

/** The Cookie header a request with this jar sends. */
export function cookieHeader(jar: CookieJar): string | undefined {
  return own(jar).header();
}

/** Stores the Set-Cookie values of a response in the jar. */
export function storeSetCookies(jar: CookieJar, setCookies: string[], now = Date.now()): void {
  own(jar).store(setCookies, now);
}
