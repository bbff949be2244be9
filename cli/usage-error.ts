// Bad command-line input that commander cannot see (an unknown lab, an
// unknown check id): main() prints it and exits 2, like a commander usage error.

export class UsageError extends Error {
  override name = 'UsageError';
}
