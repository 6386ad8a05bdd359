// Embedded mode's merged zip, built once per process for the same inputs. Functions that share one artefact (a jar
// with several handlers, a directory deployed as several functions) would otherwise each read, deflate, hash and
// write the same bytes: the zip is deterministic (named by its SHA-256), so equal inputs give the same file.
import { createHash } from "crypto";
import * as fs from "fs";
import { ArchiveEntry } from "../core/archive";
import {
  buildEmbeddedCode,
  EmbeddedCode,
  EmbeddedCodeRequest,
  listPulumiArchive,
} from "./lambdaCode";

const built = new Map<string, Promise<EmbeddedCode>>();

/**
 * What the merged zip depends on: every entry of the user's code (name, size, mode, and where its bytes are, with
 * the file's inode, size and modification time, or a hash of in-memory content), the bundle file (path, size,
 * modification time), the runtime, the handler and `codeAlreadyWrapped`. A file rewritten in place changes its
 * modification time, so it is read again.
 */
async function inputsKey(req: EmbeddedCodeRequest, code: ArchiveEntry[]): Promise<string> {
  const stamp = async (p: string) => {
    const st = await fs.promises.stat(p, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  };
  const stamps = new Map<string, Promise<string>>();
  const stampOnce = (p: string) => {
    let s = stamps.get(p);
    if (!s) stamps.set(p, (s = stamp(p)));
    return s;
  };
  const entries = await Promise.all(
    code.map(async (e) => {
      const s = e.source;
      const where =
        s.kind === "file"
          ? `file:${s.path}:${await stampOnce(s.path)}`
          : s.kind === "zip"
            ? `zip:${s.zipPath}:${await stampOnce(s.zipPath)}:${s.index}:${s.entryName}`
            : `buffer:${createHash("sha256").update(s.data).digest("hex")}`;
      return [e.name, e.size, e.kind, where];
    }),
  );
  return createHash("sha256")
    .update(
      JSON.stringify([
        req.runtime,
        req.handler,
        req.codeAlreadyWrapped,
        req.bundlePath,
        await stamp(req.bundlePath),
        entries,
      ]),
    )
    .digest("hex");
}

/** `buildEmbeddedCode`, memoised per process on its inputs; a failed build is forgotten, a deleted zip rebuilt. */
export async function buildEmbeddedCodeOnce(req: EmbeddedCodeRequest): Promise<EmbeddedCode> {
  const key = await inputsKey(req, await listPulumiArchive(req.code, "code"));
  const cached = built.get(key);
  if (cached) {
    const result = await cached;
    if (fs.existsSync(result.path)) return { ...result };
    built.delete(key);
  }
  let p = built.get(key);
  if (!p) {
    p = buildEmbeddedCode(req);
    built.set(key, p);
    p.catch(() => built.delete(key));
  }
  return { ...(await p) };
}
