// Deterministic archives: fixed timestamps and modes, entries sorted, so equal requests give equal bytes (the
// client's cache and the components' content hashes rely on that).
import { createCipheriv } from "crypto";
import { PassThrough, Readable } from "stream";
import * as yazl from "yazl";

export interface ArchiveEntry {
  path: string;
  data: string | Buffer;
  /** Executable (0755) instead of 0644. */
  executable?: boolean;
}

/** 2024-01-01 00:00 in local time: DOS timestamps are local, so this gives the same bytes in every time zone. */
const FIXED_MTIME = new Date(2024, 0, 1, 0, 0, 0);

function addEntries(zip: yazl.ZipFile, entries: ArchiveEntry[], compress: boolean): void {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of sorted) {
    zip.addBuffer(Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data), entry.path, {
      mtime: FIXED_MTIME,
      mode: entry.executable ? 0o100755 : 0o100644,
      compress,
      forceDosTimestamp: true,
    });
  }
}

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

/** A small zip, in memory. */
export function zipBuffer(entries: ArchiveEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  addEntries(zip, entries, true);
  zip.end();
  return collect(zip.outputStream as unknown as Readable);
}

/** Incompressible, deterministic bytes (an AES-CTR key stream), produced as they are read. */
export function paddingStream(size: number): Readable {
  const cipher = createCipheriv("aes-128-ctr", Buffer.alloc(16, 7), Buffer.alloc(16, 0));
  const chunk = Buffer.alloc(64 * 1024);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(cipher.update(chunk.subarray(0, n)));
    },
  });
}

/**
 * A zip padded to `totalBytes` with a stored (uncompressed) file of incompressible bytes, streamed: the padding is
 * generated while the response is written, never held in memory. Entries are stored too, so the size is exact.
 */
export async function paddedZip(
  entries: ArchiveEntry[],
  paddingPath: string,
  totalBytes: number,
): Promise<() => { stream: Readable; length: number }> {
  const build = (padding: number) => {
    const zip = new yazl.ZipFile();
    addEntries(zip, entries, false);
    const size = Math.max(padding, 0);
    zip.addReadStreamLazy(
      paddingPath,
      { mtime: FIXED_MTIME, mode: 0o100644, compress: false, size, forceDosTimestamp: true },
      (cb) => cb(null, paddingStream(size)),
    );
    zip.end();
    return zip.outputStream as unknown as Readable;
  };
  // Measure the archive's overhead with an empty padding file, then size the padding to reach the total.
  const probe = build(0);
  const overhead = (await collect(probe)).length;
  const padding = Math.max(totalBytes - overhead, 0);
  return () => {
    const out = new PassThrough();
    build(padding).pipe(out);
    // Every entry is stored and sized, so the length is exact (checked by tests/simulator).
    return { stream: out, length: overhead + padding };
  };
}
