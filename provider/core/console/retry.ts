// Bounded retries for Console calls: a fixed number of attempts AND a total deadline, exponential backoff with
// jitter, and `Retry-After` honoured (seconds or HTTP date) but capped. Every call is safe to repeat, POSTs
// included: each is a pure transform or a download and leaves no state on the Console.
//
// Hand-rolled rather than axios-retry: a call here is the whole exchange (request, streaming the body to disk,
// checking Content-Length and the archive), and a body cut short after the headers arrived happens outside axios'
// interceptors, where axios-retry cannot see it. axios-retry also has no total deadline, does not retry POSTs by
// default, and waits for any Retry-After however long. The loop is small and is tested against the simulator.
import { ConsoleError } from "../errors";

/** Retry tuning. Internal: not part of the component schema; tests shorten it to run fault tables in seconds. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  maxAttempts: number;
  /** Backoff before attempt n+1 is about baseDelayMs * 2^(n-1), with jitter. Default 500. */
  baseDelayMs: number;
  /** Upper bound of one backoff. Default 8000. */
  maxDelayMs: number;
  /** Upper bound of a wait asked for by Retry-After; a longer ask fails the call at once. Default 60000. */
  maxRetryAfterMs: number;
  /** Total time for one call, retries and waits included. Default 300000 (5 minutes). */
  deadlineMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
  deadlineMs: 300_000,
};

/** How an attempt failed, as the retry loop needs to know it. Kept off ConsoleError's public shape. */
const retryInfo = new WeakMap<ConsoleError, { retryable: boolean; retryAfterMs?: number }>();

export function markRetryable(error: ConsoleError, retryAfterMs?: number): ConsoleError {
  retryInfo.set(error, { retryable: true, retryAfterMs });
  return error;
}

/**
 * Make an error final for an enclosing retry loop: a sign-in that already ran its own retries inside a request's
 * attempt must not be retried again by the request's loop (4 x 4 sign-ins).
 */
export function markFinal(error: unknown): unknown {
  if (error instanceof ConsoleError) retryInfo.delete(error);
  return error;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== "string" || header.trim() === "") return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries of many callers spread out. */
export function backoffMs(attempt: number, options: RetryOptions, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

export interface AttemptContext {
  /** 1-based. */
  attempt: number;
  /** Aborted when the call's total deadline passes. */
  signal: AbortSignal;
  /** Milliseconds left before the deadline. */
  remainingMs(): number;
}

/**
 * Run `attempt` until it succeeds, fails with a non-retryable error, runs out of attempts, or the deadline passes.
 * `onGiveUp` turns the last retryable error into the final one (it adds how many attempts were made).
 */
export async function withRetries<T>(
  options: RetryOptions,
  attempt: (ctx: AttemptContext) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + options.deadlineMs;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.deadlineMs);
  timer.unref?.();
  const remainingMs = () => Math.max(0, deadline - Date.now());
  try {
    for (let n = 1; ; n++) {
      try {
        return await attempt({ attempt: n, signal: controller.signal, remainingMs });
      } catch (error) {
        const info = error instanceof ConsoleError ? retryInfo.get(error) : undefined;
        if (!info?.retryable || n >= options.maxAttempts) throw annotate(error, n);
        let wait = backoffMs(n, options);
        if (info.retryAfterMs !== undefined) {
          if (info.retryAfterMs > options.maxRetryAfterMs) {
            const asked = Math.ceil(info.retryAfterMs / 1000);
            throw annotate(
              error,
              n,
              `the Console asked to wait ${asked}s, longer than this client waits`,
            );
          }
          wait = Math.max(wait, info.retryAfterMs);
        }
        if (wait >= remainingMs())
          throw annotate(error, n, "no time left before the call's deadline");
        await sleep(wait, controller.signal);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

function annotate(error: unknown, attempts: number, why?: string): unknown {
  if (!(error instanceof ConsoleError)) return error;
  const notes = [
    ...(attempts > 1 ? [`gave up after ${attempts} attempts`] : []),
    ...(why ? [why] : []),
  ];
  if (notes.length) error.message = `${error.message} (${notes.join("; ")})`;
  return error;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
