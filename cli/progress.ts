import type { ProgressStream } from './deps';
import type { Io } from './output';

/** One status line redrawn in place on the terminal; every method is a no-op when the Io is not interactive. */
export interface Progress {
  /** Shows this text (a spinner frame is put in front when spinning). */
  update(text: string): void;
  /** Removes the line, so other output can go to the terminal; the next update draws it again. */
  clear(): void;
  /** Removes the line for good and stops the animation. */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';
const NOOP: Progress = { update: () => undefined, clear: () => undefined, stop: () => undefined };

/**
 * A status line on `stream`, only when `io.interactive` (stderr is a terminal): scripts and pipes see
 * none of it. With `spin`, a spinner turns while the command waits.
 */
export function progressLine(io: Io, stream: ProgressStream, { spin = false }: { spin?: boolean } = {}): Progress {
  if (!io.interactive) return NOOP;
  let text = '';
  let frame = 0;
  let shown = false;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    const line = spin ? `${FRAMES[frame % FRAMES.length]} ${text}` : text;
    const width = (stream.columns ?? 80) - 1;
    stream.write(`${CLEAR_LINE}${line.length > width ? line.slice(0, width) : line}`);
    shown = true;
  };
  return {
    update(next) {
      text = next;
      draw();
      if (spin && !timer) {
        timer = setInterval(() => {
          frame += 1;
          draw();
        }, 100);
        // The spinner alone must never keep the process alive.
        timer.unref();
      }
    },
    clear() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
    stop() {
      this.clear();
    },
  };
}

/** A text progress bar: `[██████░░░░░░░░░░░░░░░░░░] 6/24`. */
export function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}
