// Peak memory of the current process, two ways: the kernel's high-water mark (VmHWM in /proc/self/status, exact,
// resettable through /proc/self/clear_refs) and `process.memoryUsage().rss` sampled on a short timer (portable, but
// it can miss a short spike and it needs the event loop to be free).
import * as fs from "node:fs";

/** VmHWM (peak resident set size since start or the last reset), in bytes; undefined off Linux. */
export function peakRss(): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Reset VmHWM to the current RSS (Linux >= 4.0: writing 5 to clear_refs). Returns false where unsupported. */
export function resetPeakRss(): boolean {
  try {
    fs.writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

export interface RssSampler {
  /** Stop sampling and return the highest RSS seen, in bytes. */
  stop(): number;
}

/** Sample `process.memoryUsage.rss()` every `intervalMs` until stopped. */
export function sampleRss(intervalMs = 5): RssSampler {
  let max = process.memoryUsage.rss();
  const timer = setInterval(() => {
    max = Math.max(max, process.memoryUsage.rss());
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, process.memoryUsage.rss());
    },
  };
}

/** Settle the heap before taking a baseline, when the child runs with --expose-gc. */
export function settle(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}
