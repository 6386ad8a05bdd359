// Diagnostics: how many promises a stretch of the program creates, and where. Pulumi turns every Output, apply and
// registration into several promises, each with a captured stack trace (its debuggablePromise), so their number is
// the cost a component adds per workload. Every `sampleEvery`th promise is attributed to the first two frames in
// provider/ (or the bench child) on its creation stack; counts per site are estimates (samples x sampleEvery).
import { createHook } from "node:async_hooks";

export interface PromiseSites {
  created: number;
  /** [site, estimated promises], most first. "(no frame of ours)": continuations of Pulumi's own chains. */
  sites: [string, number][];
}

const OURS = /[/\\](provider|bench[/\\]children)[/\\]/;

export function countPromises(sampleEvery = 20): { stop(): PromiseSites } {
  let created = 0;
  const sites = new Map<string, number>();
  const hook = createHook({
    init(_id, type) {
      if (type !== "PROMISE") return;
      created++;
      if (created % sampleEvery) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      const stack = new Error().stack ?? "";
      Error.stackTraceLimit = limit;
      const frames = stack
        .split("\n")
        .slice(2)
        .filter((line) => OURS.test(line))
        .slice(0, 2)
        .map((line) =>
          line
            .trim()
            .replace(/^at /, "")
            .replace(/\(.*?[/\\](provider|bench)[/\\]/, "($1/"),
        );
      const site = frames.join(" < ") || "(no frame of ours)";
      sites.set(site, (sites.get(site) ?? 0) + sampleEvery);
    },
  });
  hook.enable();
  return {
    stop() {
      hook.disable();
      return { created, sites: [...sites].sort((a, b) => b[1] - a[1]) };
    },
  };
}
