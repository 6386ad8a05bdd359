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
  "flipArchiveData",
  "expireToken",
];

/** A fault as the table holds it: `ready` resolves when a `together` fault may answer (all `times` arrived). */
export type TakenFault = FaultSpec & { ready?: Promise<void> };

export class FaultTable {
  private faults: (TakenFault & { remaining: number; release?: () => void })[] = [];

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
    if (fault.together && fault.times === undefined) {
      throw new Error("a `together` fault needs `times` (how many requests it holds for)");
    }
    const entry: TakenFault & { remaining: number; release?: () => void } = {
      ...fault,
      remaining: fault.times ?? Infinity,
    };
    if (fault.together) entry.ready = new Promise<void>((resolve) => (entry.release = resolve));
    this.faults.push(entry);
  }

  /** Forget every fault; requests a `together` fault holds are answered now. */
  clear(): void {
    for (const f of this.faults) f.release?.();
    this.faults = [];
  }

  /** Takes the first active fault for an endpoint, counting it against `times`. */
  take(endpoint: SimulatorEndpoint | string): TakenFault | undefined {
    const index = this.faults.findIndex((f) => f.endpoint === endpoint && f.remaining > 0);
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) {
      this.faults.splice(index, 1);
      fault.release?.();
    }
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
  if (fault.kind === "flipArchiveData" && response.archive && response.body) {
    return { ...response, body: flipData(response.body) };
  }
  return response;
}

/** Invert 16 bytes in the middle of the compressed data, leaving every header and directory record intact. */
function flipData(body: Buffer): Buffer {
  const out = Buffer.from(body);
  let start: number;
  let length: number;
  if (out[0] === 0x1f && out[1] === 0x8b) {
    // gzip: a 10-byte header (the simulator writes no optional fields) and an 8-byte CRC/size trailer.
    start = 10;
    length = out.length - 18;
  } else {
    ({ start, length } = largestZipEntryData(out));
  }
  if (length < 32) throw new Error("flipArchiveData: the archive's data is too small to damage");
  const at = start + Math.floor(length / 2) - 8;
  for (let i = at; i < at + 16; i++) out[i] = ~out[i] & 0xff;
  return out;
}

/** Where the compressed bytes of the zip's largest entry lie, from its central directory and local header. */
function largestZipEntryData(zip: Buffer): { start: number; length: number } {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("flipArchiveData: no zip end-of-central-directory record");
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  let best = { start: 0, length: 0 };
  for (let i = 0; i < count; i++) {
    const compressed = zip.readUInt32LE(at + 20);
    const local = zip.readUInt32LE(at + 42);
    if (compressed > best.length) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      best = { start, length: compressed };
    }
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return best;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
