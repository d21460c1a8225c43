/** Redraws at most this often on a terminal; off a terminal prints a line per 10 %. */
const REDRAW_MS = 100;
const WIDTH = 30;

/**
 * A progress bar for long CLI work (issue 3 §6): building thousands of decoys,
 * making payload variants. Writes to stderr so stdout stays machine-readable.
 */
export function progressBar(label: string, opts: { write?: (s: string) => void; tty?: boolean; now?: () => number } = {}) {
  const write = opts.write ?? ((s: string) => { process.stderr.write(s); });
  const tty = opts.tty ?? process.stderr.isTTY === true;
  const now = opts.now ?? Date.now;
  let last = 0;
  let lastDecile = -1;
  return {
    update(done: number, total: number): void {
      if (total <= 0) return;
      const frac = Math.min(1, done / total);
      if (tty) {
        const t = now();
        if (done < total && t - last < REDRAW_MS) return;
        last = t;
        const fill = Math.round(frac * WIDTH);
        write(`\r${label} [${'#'.repeat(fill)}${' '.repeat(WIDTH - fill)}] ${done}/${total}${done >= total ? '\n' : ''}`);
      } else {
        const decile = Math.floor(frac * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        write(`${label}: ${done}/${total} (${Math.floor(frac * 100)}%)\n`);
      }
    },
  };
}
