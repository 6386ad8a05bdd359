// Deterministic zip merge for embedded mode: the user's code, the Console's bundle and the generated wrapper become
// one zip whose bytes depend only on the entries' names, modes and contents. Entries are streamed (a large file is
// never held in memory), written in sorted order with one fixed timestamp and two possible modes, and a name that
// could escape the extraction root is refused. When two sources hold the same path, identical contents are kept
// once and different contents are an error: we never pick a winner silently (see docs/lambda.md, "Code merge").
import { problem, ProblemsError } from "./problems";
import { createHash, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as yauzl from "yauzl";
import * as yazl from "yazl";
import { cacheDirectory, ensurePrivateDirectory, removePartial } from "./console/downloads";
import { ArchiveEntry, EntrySource, entryStream, listZip, readZipEntries } from "./archiveEntries";

export * from "./archiveEntries";

// Zip stores local time without a zone: a Date built from local fields encodes the same bytes in every TZ.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

export interface WrittenZip {
  path: string;
  /** Hex SHA-256 of the zip's bytes. */
  sha256: string;
  size: number;
  unzippedSize: number;
  entries: number;
}

async function openSource(
  source: EntrySource,
  zips: Map<string, Promise<ZipIndex>>,
): Promise<Readable> {
  if (source.kind === "buffer") return Readable.from([source.data]);
  if (source.kind === "file") return fs.createReadStream(source.path);
  let index = zips.get(source.zipPath);
  if (!index) {
    index = readZipEntries(source.zipPath);
    zips.set(source.zipPath, index);
  }
  // By position, not name: a zip may hold one name twice, and each copy must be read for what it is.
  const { zip, entries } = await index;
  const entry = entries[source.index];
  if (entry?.fileName !== source.entryName)
    throw new Error(`${source.zipPath} changed while it was being read.`);
  return entryStream(zip, entry);
}

interface ZipIndex {
  zip: yauzl.ZipFile;
  entries: yauzl.Entry[];
}

async function digest(entry: ArchiveEntry, zips: Map<string, Promise<ZipIndex>>): Promise<string> {
  const hash = createHash("sha256").update(entry.kind);
  for await (const chunk of await openSource(entry.source, zips)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function closeAll(zips: Map<string, Promise<ZipIndex>>): Promise<void> {
  for (const z of zips.values()) (await z.catch(() => undefined))?.zip.close();
}

/** The bytes of one (small) entry, such as a package.json. */
export async function readEntry(entry: ArchiveEntry): Promise<Buffer> {
  const zips = new Map<string, Promise<ZipIndex>>();
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await openSource(entry.source, zips)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    await closeAll(zips);
  }
}

/**
 * Merge entry lists into one sorted list. Same path from two sources: kept once when the contents are identical,
 * else an error naming the path and both origins. A path that is a file in one source and a folder in another is
 * an error too.
 */
export async function mergeEntries(groups: ArchiveEntry[][]): Promise<ArchiveEntry[]> {
  const byName = new Map<string, ArchiveEntry>();
  const zips = new Map<string, Promise<ZipIndex>>();
  try {
    for (const entry of groups.flat()) {
      const prior = byName.get(entry.name);
      if (!prior) {
        byName.set(entry.name, entry);
        continue;
      }
      if (prior.size === entry.size && (await digest(prior, zips)) === (await digest(entry, zips)))
        continue;
      throw new ProblemsError(
        problem(
          "code",
          `"${entry.name}" comes from both ${prior.origin} and ${entry.origin} with different contents. ` +
            `Remove it from ${prior.origin === "code" ? "your code" : entry.origin}: the component adds ` +
            `${prior.origin === "code" ? entry.origin : prior.origin} itself.`,
        ),
      );
    }
  } finally {
    await closeAll(zips);
  }
  const names = [...byName.keys()].sort();
  const files = new Set(names);
  for (const n of names) {
    for (let i = n.indexOf("/"); i > 0; i = n.indexOf("/", i + 1)) {
      if (files.has(n.slice(0, i))) {
        throw new ProblemsError(
          problem(
            "code",
            `"${n.slice(0, i)}" is a file in ${byName.get(n.slice(0, i))!.origin} and a folder in ${byName.get(n)!.origin}.`,
          ),
        );
      }
    }
  }
  return names.map((n) => byName.get(n)!);
}

/** A private (0700) directory under the Console archive cache, for merged archives. */
export function workDir(sub: string): string {
  const dir = path.join(cacheDirectory(), sub);
  ensurePrivateDirectory(dir);
  return dir;
}

/**
 * Write `entries` (already merged and sorted) as a zip under `outDir`, named by its SHA-256, so the same entries
 * always give the same path and bytes. Written to a temporary name first and renamed: a reader never sees half a
 * file, and concurrent writers of the same content agree.
 */
export async function writeZip(entries: ArchiveEntry[], outDir: string): Promise<WrittenZip> {
  const zipfile = new yazl.ZipFile();
  const zips = new Map<string, Promise<ZipIndex>>();
  const tmp = path.join(outDir, `.tmp-${randomUUID()}`);
  const hash = createHash("sha256");
  let size = 0;
  let unzippedSize = 0;
  // yazl pipes each entry's stream without an 'error' handler and reports its own failures as 'error' events on
  // the ZipFile: both end the output stream with the error, so the pipeline below rejects instead of Node raising
  // an uncaught exception and the caller's promise never settling.
  const fail = (err: Error) => (zipfile.outputStream as unknown as Readable).destroy(err);
  zipfile.on("error", fail);
  for (const e of entries) {
    unzippedSize += e.size;
    const mode = e.kind === "symlink" ? 0o120777 : e.kind === "executable" ? 0o100755 : 0o100644;
    const options = {
      mtime: FIXED_MTIME,
      mode,
      compress: e.kind !== "symlink",
      forceDosTimestamp: true,
      size: e.size,
    };
    zipfile.addReadStreamLazy(e.name, options, (cb) => {
      openSource(e.source, zips).then(
        (s) => {
          s.on("error", fail);
          cb(null, s);
        },
        (err: Error) => cb(err, undefined as unknown as Readable),
      );
    });
  }
  zipfile.end();
  const out = fs.createWriteStream(tmp, { mode: 0o600 });
  try {
    const counter = async function* (src: AsyncIterable<Buffer | string>) {
      for await (const chunk of src) {
        hash.update(chunk);
        size += Buffer.byteLength(chunk);
        yield chunk;
      }
    };
    await pipeline(zipfile.outputStream, counter, out);
  } catch (e) {
    await removePartial(out, tmp);
    throw e;
  } finally {
    await closeAll(zips);
  }
  const sha256 = hash.digest("hex");
  const final = path.join(outDir, `${sha256}.zip`);
  await fs.promises.rename(tmp, final);
  return { path: final, sha256, size, unzippedSize, entries: entries.length };
}

/** Re-write a zip deterministically (fixed timestamps and order), so its hash changes only with its contents. */
export async function normalizeZip(
  zipPath: string,
  origin: string,
  outDir: string,
): Promise<WrittenZip> {
  return writeZip(await mergeEntries([await listZip(zipPath, origin)]), outDir);
}
