// Reading archive entries for the deterministic zip merge (archive.ts): directories, zips and jars, listed from
// their metadata only (contents are streamed later), with every name checked against zip-slip.
import { problem, ProblemsError } from "./problems";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import * as yauzl from "yauzl";

/** Where an entry's bytes come from. */
export type EntrySource =
  | { kind: "file"; path: string }
  | { kind: "buffer"; data: Buffer }
  | { kind: "zip"; zipPath: string; entryName: string; index: number };

export interface ArchiveEntry {
  /** Path inside the zip: forward slashes, no leading `/` or `./`, no `..`. */
  name: string;
  size: number;
  /** Executable (0755) or not (0644); symlinks keep 0777 and their target as content. */
  kind: "file" | "executable" | "symlink";
  source: EntrySource;
  /** Which input it came from, for error messages (`code`, `the Defender bundle`, ...). */
  origin: string;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** A checked entry name, or an error naming the bad path (zip-slip: absolute, drive letters, `..`). */
export function safeEntryName(raw: string, origin: string): string {
  const name = raw.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
  const parts = name.split("/");
  if (
    name === "" ||
    name.startsWith("/") ||
    /^[A-Za-z]:/.test(name) ||
    parts.some((p) => p === ".." || p === "." || p === "") ||
    name.includes("\0")
  ) {
    throw new ProblemsError(
      problem(
        origin,
        `refusing entry "${raw}": it is not a plain relative path inside the archive.`,
      ),
    );
  }
  return name;
}

function checkLinkTarget(name: string, target: string, origin: string): void {
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(name), target));
  if (target.startsWith("/") || resolved === ".." || resolved.startsWith("../")) {
    throw new ProblemsError(
      problem(origin, `refusing symlink "${name}" -> "${target}": it points outside the archive.`),
    );
  }
}

function openZip(zipPath: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(
      zipPath,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    ),
  );
}

/**
 * An entry's inflated bytes, checked against the CRC-32 its central directory records (yauzl checks sizes but not
 * CRCs, see its README "No CRC-32 Checking"): a damaged entry fails its stream with an error instead of yielding
 * wrong bytes. The inflate and CRC errors are forwarded to the returned stream, so one `'error'` handler (or a
 * pipeline) sees every failure.
 */
export function entryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error(`cannot read ${entry.fileName}`));
      resolve(crcChecked(stream, entry));
    }),
  );
}

function crcChecked(stream: Readable, entry: yauzl.Entry): Readable {
  let crc = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      crc = zlib.crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      done(
        crc >>> 0 === entry.crc32 >>> 0
          ? null
          : new Error(`${entry.fileName}: CRC-32 mismatch (the entry's data is damaged)`),
      );
    },
  });
  stream.on("error", (e: Error) => check.destroy(e));
  check.on("close", () => stream.destroy());
  return stream.pipe(check);
}

async function streamToString(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Every zip entry with its central-directory metadata, read without inflating file contents. */
export async function readZipEntries(
  zipPath: string,
): Promise<{ zip: yauzl.ZipFile; entries: yauzl.Entry[] }> {
  const zip = await openZip(zipPath);
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on("end", () => resolve());
    zip.on("error", reject);
    zip.readEntry();
  });
  return { zip, entries };
}

/** The file entries of a zip (or jar), under `prefix`. Directory entries are dropped: Lambda does not need them. */
export async function listZip(
  zipPath: string,
  origin: string,
  prefix = "",
): Promise<ArchiveEntry[]> {
  let read;
  try {
    read = await readZipEntries(zipPath);
  } catch (e) {
    throw new ProblemsError(
      problem(origin, `${zipPath} is not a readable zip archive (${(e as Error).message}).`),
    );
  }
  const { zip, entries } = read;
  try {
    const out: ArchiveEntry[] = [];
    for (const [index, e] of entries.entries()) {
      if (e.fileName.endsWith("/")) continue;
      const name = safeEntryName(prefix + e.fileName, origin);
      const unixMode = e.versionMadeBy >> 8 === 3 ? e.externalFileAttributes >>> 16 : 0;
      let kind: ArchiveEntry["kind"] = unixMode & 0o111 ? "executable" : "file";
      if ((unixMode & S_IFMT) === S_IFLNK) {
        kind = "symlink";
        checkLinkTarget(name, await streamToString(await entryStream(zip, e)), origin);
      }
      const source: EntrySource = { kind: "zip", zipPath, entryName: e.fileName, index };
      out.push({ name, size: e.uncompressedSize, kind, source, origin });
    }
    return out;
  } finally {
    zip.close();
  }
}

/** The files under a directory (symlinks followed), under `prefix`. */
export async function listDirectory(
  dir: string,
  origin: string,
  prefix = "",
): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await fs.promises.readdir(path.join(dir, rel))).sort();
    for (const n of names) {
      const relPath = rel ? `${rel}/${n}` : n;
      const full = path.join(dir, relPath);
      const st = await fs.promises.stat(full).catch(() => {
        throw new ProblemsError(problem(origin, `cannot read ${full} (a broken symlink?).`));
      });
      if (st.isDirectory()) await walk(relPath);
      else if (st.isFile()) {
        const kind = st.mode & 0o111 ? "executable" : "file";
        const name = safeEntryName(prefix + relPath, origin);
        out.push({ name, size: st.size, kind, source: { kind: "file", path: full }, origin });
      }
    }
  };
  await walk("");
  return out;
}

/** Entries of a directory or a zip/jar file, decided by what is on disk at `p`. */
export async function listPath(p: string, origin: string, prefix = ""): Promise<ArchiveEntry[]> {
  const full = path.resolve(p);
  const st = await fs.promises.stat(full).catch(() => {
    throw new ProblemsError(problem(origin, `${full} does not exist.`));
  });
  if (st.isDirectory()) return listDirectory(full, origin, prefix);
  if (/\.(zip|jar)$/i.test(full)) return listZip(full, origin, prefix);
  throw new ProblemsError(
    problem(
      origin,
      `${full} is neither a directory nor a .zip/.jar file; embedded mode reads those two forms only.`,
    ),
  );
}

/** A buffer entry, such as a generated wrapper. */
export function bufferEntry(name: string, content: string | Buffer, origin: string): ArchiveEntry {
  const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return {
    name: safeEntryName(name, origin),
    size: data.length,
    kind: "file",
    source: { kind: "buffer", data },
    origin,
  };
}

/** Extract a zip into `dir`, refusing any entry that would land outside it. For tests and local inspection. */
export async function extractZip(zipPath: string, dir: string): Promise<string[]> {
  const { zip, entries } = await readZipEntries(zipPath);
  const names: string[] = [];
  try {
    for (const e of entries) {
      const name = safeEntryName(e.fileName.replace(/\/$/, "") || ".", zipPath);
      const target = path.join(dir, name);
      if (e.fileName.endsWith("/")) {
        await fs.promises.mkdir(target, { recursive: true });
        continue;
      }
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      const mode = e.versionMadeBy >> 8 === 3 ? (e.externalFileAttributes >>> 16) & 0o777 : 0o644;
      const stream = await entryStream(zip, e);
      if (((e.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
        const target2 = await streamToString(stream);
        checkLinkTarget(name, target2, zipPath);
        await fs.promises.symlink(target2, target);
      } else {
        const out = fs.createWriteStream(target, { mode: mode || 0o644 });
        await pipeline(stream, out);
      }
      names.push(name);
    }
  } finally {
    zip.close();
  }
  return names.sort();
}
