// Progress of `lab start`, `lab finish` and `lab solve`: on a terminal one
// updating line per item with a spinner, elsewhere (pipes, CI, `lab test`)
// plain lines, one when an item begins a wait and one when it ends.

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface ProgressItem {
  /** What the item is doing now (e.g. the value it waits on). */
  update(detail: string): void;
  /** The item ended well: its final line. */
  done(text: string): void;
  /** The item failed: its final line. */
  fail(text: string): void;
}

export interface Progress {
  /** A line of its own. */
  line(text: string): void;
  /** An item that may take a while (`label` shows while it runs). */
  item(label: string): ProgressItem;
}

export function createProgress(write: (text: string) => void, opts: { tty?: boolean; indent?: string } = {}): Progress {
  const indent = opts.indent ?? '';
  if (!opts.tty) {
    return {
      line: (t) => write(`${indent}${t}\n`),
      item: (label) => {
        let announced = false;
        return {
          // A plain log shows that a wait began, once, not every poll.
          update: () => {
            if (!announced) write(`${indent}${label} ...\n`);
            announced = true;
          },
          done: (t) => write(`${indent}${t}\n`),
          fail: (t) => write(`${indent}${t}\n`),
        };
      },
    };
  }
  return {
    line: (t) => write(`${indent}${t}\n`),
    item: (label) => {
      let frame = 0;
      let detail = '';
      const draw = (): void => write(`\r\x1b[2K${indent}${FRAMES[frame++ % FRAMES.length]} ${label}${detail ? ` (${detail})` : ''}`);
      draw();
      const timer = setInterval(draw, 120);
      timer.unref();
      const end = (mark: string, t: string): void => {
        clearInterval(timer);
        write(`\r\x1b[2K${indent}${mark} ${t}\n`);
      };
      return {
        update: (d) => {
          detail = d;
          draw();
        },
        done: (t) => end('✔', t),
        fail: (t) => end('✖', t),
      };
    },
  };
}
