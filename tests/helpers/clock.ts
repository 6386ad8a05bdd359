// A wall clock a test moves instead of sleeping until a token expires. Only `Date` is faked: timers, I/O,
// process.hrtime and performance stay real, so HTTP exchanges with an in-process simulator run as usual while
// everything that reads the time (token expiry in the simulator, renewal in the client) sees the moved clock.

const REAL = [
  "hrtime",
  "nextTick",
  "performance",
  "queueMicrotask",
  "setImmediate",
  "clearImmediate",
  "setInterval",
  "clearInterval",
  "setTimeout",
  "clearTimeout",
] as const;

export interface WallClock {
  /** Moves `Date.now()` forward by `ms`. */
  advance(ms: number): void;
  /** Back to the real clock. */
  restore(): void;
}

/** Freezes `Date` at the real time now; `advance` moves it. Call `restore` in a `finally`. */
export function fakeWallClock(): WallClock {
  jest.useFakeTimers({ doNotFake: [...REAL], now: Date.now() });
  return {
    advance: (ms) => jest.setSystemTime(Date.now() + ms),
    restore: () => jest.useRealTimers(),
  };
}
