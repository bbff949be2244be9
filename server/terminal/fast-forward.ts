// Skipping what a terminal would only scroll away. A long run of plain text
// (printable characters, tabs, CR and LF: nothing that changes colours, modes
// or the cursor otherwise) leaves the screen and scrollback showing just its
// last lines, whatever came before. So the screen kept for replay may parse
// only the last lines of such a run, plus a margin of a screenful that pushes
// out whatever the skipped part would have overwritten, and come out the same.
// This is what lets the replay screen keep up with `cat` of a large file.
//
// A run starts and ends right after a CR LF (column 0 on both paths). The one
// case it cannot see is output inside a string the parser is collecting (an
// OSC title left unterminated across the run): its text would be shortened.

const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;

/** Bytes that print or move only within the text: no escape, no other control. */
function isPlain(data: Uint8Array, i: number): boolean {
  const b = data[i];
  if (b >= 0x20 && b < 0x7f) return true;
  if (b === CR || b === LF || b === TAB) return true;
  if (b < 0x80) return false;
  // UTF-8 of C1 controls (U+0080..U+009F) would act as controls.
  if (b === 0xc2 && i + 1 < data.length && data[i + 1] >= 0x80 && data[i + 1] <= 0x9f) return false;
  return true;
}

/**
 * The data with every plain run of more than keepLines lines cut down to its
 * last keepLines lines. Returns the same array when nothing can be skipped.
 */
export function fastForward(data: Uint8Array, keepLines: number): Uint8Array {
  const keep: [number, number][] = [];
  const n = data.length;
  let from = 0;
  let i = 0;
  for (;;) {
    // A run may begin only right after a CR LF.
    let start = -1;
    for (let k = i; k + 1 < n; k++) {
      if (data[k] === CR && data[k + 1] === LF) {
        start = k + 2;
        break;
      }
    }
    if (start < 0) break;
    const lineEnds: number[] = [];
    let j = start;
    for (; j < n && isPlain(data, j); j++) {
      if (data[j] === LF && data[j - 1] === CR) lineEnds.push(j + 1);
    }
    if (lineEnds.length > keepLines) {
      keep.push([from, start]);
      from = lineEnds[lineEnds.length - keepLines - 1];
    }
    if (j >= n) break;
    // The next run begins after a CR LF past the byte that ended this one.
    i = j;
  }
  if (!keep.length) return data;
  keep.push([from, n]);
  const size = keep.reduce((s, [a, b]) => s + (b - a), 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const [a, b] of keep) {
    out.set(data.subarray(a, b), at);
    at += b - a;
  }
  return out;
}
