// The per-Console gate every request goes through: at most `maxInFlight` requests open at once, and one pause
// shared by every caller after a 429, so a refused burst is retried once per caller after the pause instead of each
// caller spending its attempts on more 429s (a retry storm against a shared server).
import pLimit from "p-limit";
import { backoffMs, RetryOptions } from "./retry";

export interface ConsoleGate {
  /** Run `send` in a slot, once any pause has passed; `send` gets the pause epoch its request went out in. */
  run<T>(signal: AbortSignal, send: (epoch: number) => Promise<T>): Promise<T>;
  /**
   * A 429 arrived for a request sent in `epoch`: pause every caller for its Retry-After (capped at
   * `maxRetryAfterMs`), or without one for a backoff that doubles with each burst in a row. A 429 to a request sent
   * before the latest pause began is part of the burst that started it: it may lengthen the pause, not double it.
   */
  throttled(epoch: number, retryAfterMs: number | undefined): void;
  /** A request was answered without a 429: the next burst starts the backoff from the beginning again. */
  answered(): void;
}

export function createGate(maxInFlight: number, retry: RetryOptions): ConsoleGate {
  const slots = pLimit(Math.max(1, maxInFlight));
  let pausedUntil = 0;
  let epoch = 0;
  let bursts = 0;

  const waitForPause = async (signal: AbortSignal) => {
    while (Date.now() < pausedUntil && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pausedUntil - Date.now());
        signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  };

  return {
    run: (signal, send) =>
      slots(async () => {
        await waitForPause(signal);
        return send(epoch);
      }),
    throttled(sentIn, retryAfterMs) {
      const newBurst = sentIn === epoch;
      if (newBurst) {
        epoch += 1;
        bursts += 1;
      }
      const pause =
        retryAfterMs !== undefined
          ? Math.min(retryAfterMs, retry.maxRetryAfterMs)
          : backoffMs(Math.max(1, bursts), retry);
      pausedUntil = Math.max(pausedUntil, Date.now() + pause);
    },
    answered() {
      bursts = 0;
    },
  };
}
