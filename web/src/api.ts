// The JSON API client: same-origin requests with the session cookie, the
// CSRF token on every change, and the server's `{error}` turned into an
// exception whose message is the server's own sentence.

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly status: number, message: string, readonly field?: string) {
    super(message);
  }
}

export class Api {
  private csrf: string | undefined;

  /** Called when the server says the session is gone (401), so the app can show the sign-in page. */
  onUnauthorized: (() => void) | undefined;

  setCsrf(token: string | undefined): void {
    this.csrf = token;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    let res: Response;
    try {
      res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (e) {
      throw new ApiError(0, `the server cannot be reached (${e instanceof Error ? e.message : String(e)})`);
    }
    const text = await res.text();
    let doc: unknown;
    try {
      doc = text ? JSON.parse(text) : undefined;
    } catch {
      doc = undefined;
    }
    if (!res.ok) {
      const err = (doc ?? {}) as { error?: string; field?: string };
      if (res.status === 401 && !path.endsWith('/login')) this.onUnauthorized?.();
      throw new ApiError(res.status, err.error ?? `${method} ${path} answered ${res.status} ${res.statusText}`, err.field);
    }
    return doc as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }
}
