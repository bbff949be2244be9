// A patch that cannot be applied. The HTTP layer turns it into a Status with
// this code: 422 when the document is well formed but does not apply to the
// object (failed `test`, missing path), 400 when the patch itself is malformed.

export class PatchError extends Error {
  constructor(message: string, readonly code: 400 | 409 | 422 = 422) {
    super(message);
    this.name = 'PatchError';
  }
}
