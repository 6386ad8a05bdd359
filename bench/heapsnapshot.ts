// Summarise V8 heap snapshots (`v8.writeHeapSnapshot`) by what the bytes are: self size by kind and constructor, and
// the strings split by what they hold (stack traces, source text, the rest).
//
//   npx tsx bench/heapsnapshot.ts <file.heapsnapshot|dir> [more...] [--top 25]
//
// A directory stands for every .heapsnapshot in it. Snapshots of the benchmark child:
// `BENCH_HEAP_SNAPSHOT=<dir> npx tsx bench/one.ts 270 24 6 protected all` (written after the first preview).
// Self sizes only: retained sizes need the dominator tree, and the question here is which objects there are more of.
import * as fs from "node:fs";
import * as path from "node:path";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  /** Self bytes and count per "kind: constructor or string class", largest first. */
  groups: { key: string; bytes: number; count: number }[];
}

/** What a string on the heap holds, by its opening characters. */
function stringClass(kind: string, value: string): string {
  // Stack traces Pulumi captures per promise (debuggablePromise), once formatted.
  if (/^(Error)?\n\s+at /.test(value)) return "string: captured stack trace";
  if (kind === "concatenated string") return "string: concatenated (pieces of a longer string)";
  if (value.length > 4096) return "string: longer than 4 KiB (source text, file contents)";
  return "string: other";
}

export function summarise(file: string): HeapSummary {
  const snap = JSON.parse(fs.readFileSync(file, "utf8")) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const groups = new Map<string, { bytes: number; count: number }>();
  let totalBytes = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const kind = types[snap.nodes[i + typeAt]];
    const name = snap.strings[snap.nodes[i + nameAt]];
    const bytes = snap.nodes[i + sizeAt];
    totalBytes += bytes;
    const key =
      kind === "string" || kind === "concatenated string" || kind === "sliced string"
        ? stringClass(kind, name)
        : `${kind}: ${kind === "object" || kind === "closure" ? name : ""}`;
    const g = groups.get(key) ?? { bytes: 0, count: 0 };
    g.bytes += bytes;
    g.count += 1;
    groups.set(key, g);
  }
  return {
    totalBytes,
    nodes: snap.nodes.length / width,
    groups: [...groups].map(([key, g]) => ({ key, ...g })).sort((a, b) => b.bytes - a.bytes),
  };
}

function main() {
  const args = process.argv.slice(2);
  const topAt = args.indexOf("--top");
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  const files = args.flatMap((a) =>
    fs.statSync(a).isDirectory()
      ? fs
          .readdirSync(a)
          .filter((f) => f.endsWith(".heapsnapshot"))
          .sort()
          .map((f) => path.join(a, f))
      : [a],
  );
  if (!files.length) {
    console.error(
      "usage: npx tsx bench/heapsnapshot.ts <file.heapsnapshot|dir> [more...] [--top N]",
    );
    process.exit(2);
  }
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1).padStart(8)} MiB`;
  for (const file of files) {
    const s = summarise(file);
    console.log(`${file}: ${mib(s.totalBytes).trim()} in ${s.nodes} objects`);
    for (const g of s.groups.slice(0, top)) {
      const share = ((100 * g.bytes) / s.totalBytes).toFixed(1).padStart(5);
      console.log(`  ${mib(g.bytes)} ${share}%  ${String(g.count).padStart(8)}  ${g.key}`);
    }
  }
}

if (require.main === module) main();
