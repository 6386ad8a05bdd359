// Fault injection: per endpoint, for a number of requests, the failures a client must survive or report well.
import { randomBytes } from "crypto";
import { errorResponse, SimResponse } from "./http";
import type { FaultKind, FaultSpec, SimulatorEndpoint } from "./types";

const KINDS: FaultKind[] = [
  "latency",
  "status",
  "reset",
  "truncate",
  "malformedJson",
  "corruptArchive",
  "expireToken",
];

export class FaultTable {
  private faults: (FaultSpec & { remaining: number })[] = [];

  add(fault: FaultSpec): void {
    if (!KINDS.includes(fault.kind)) throw new Error(`unknown fault kind ${String(fault.kind)}`);
    if (fault.kind === "status" && !(Number.isInteger(fault.status) && fault.status! >= 100)) {
      throw new Error("a `status` fault needs `status` (an HTTP status code)");
    }
    if (fault.kind === "latency" && !(typeof fault.ms === "number" && fault.ms >= 0)) {
      throw new Error("a `latency` fault needs `ms`");
    }
    if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) {
      throw new Error("`times` must be a positive integer");
    }
    this.faults.push({ ...fault, remaining: fault.times ?? Infinity });
  }

  clear(): void {
    this.faults = [];
  }

  /** Takes the first active fault for an endpoint, counting it against `times`. */
  take(endpoint: SimulatorEndpoint | string): FaultSpec | undefined {
    const index = this.faults.findIndex((f) => f.endpoint === endpoint && f.remaining > 0);
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

export function statusFault(fault: FaultSpec): SimResponse {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined)
    headers["Retry-After"] = String(fault.retryAfterSeconds);
  return errorResponse(fault.status ?? 500, `simulated fault: status ${fault.status}`, headers);
}

/** Rewrites a computed answer for the faults that damage the body. */
export function damage(fault: FaultSpec | undefined, response: SimResponse): SimResponse {
  if (!fault) return response;
  if (fault.kind === "malformedJson") {
    return {
      status: 200,
      contentType: "application/json; charset=utf-8",
      body: Buffer.from('{"token": "eyJhbGciOi, "data": <html>Bad Gateway'),
    };
  }
  if (fault.kind === "corruptArchive") {
    const bytes = randomBytes(4096);
    bytes.write("NOT AN ARCHIVE", 0);
    return {
      status: 200,
      contentType: response.archive ? response.contentType : "application/zip",
      headers: response.headers,
      body: bytes,
      archive: true,
    };
  }
  return response;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
