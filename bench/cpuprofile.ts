// Summarise V8 CPU profiles (`node --cpu-prof`) by self time: the functions and the npm packages the time goes to.
//
//   npx tsx bench/cpuprofile.ts <file.cpuprofile|dir> [more...] [--top 25]
//
// A directory stands for every .cpuprofile in it. With several profiles, each is summarised on its own. Profiles of
// the benchmark children: `BENCH_CPU_PROF=<dir> npm run bench -- 7` (bench/lib/child.ts adds `--cpu-prof`).
import * as fs from "node:fs";
import * as path from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The npm package a script belongs to (`@scope/name` or `name`), or what else it is. */
export function packageOf(url: string): string {
  if (!url) return "(native / V8)";
  if (url.startsWith("node:")) return "node: (core)";
  const file = url.replace(/^file:\/\//, "");
  const at = file.lastIndexOf("/node_modules/");
  if (at >= 0) {
    const parts = file.slice(at + "/node_modules/".length).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (/\/(provider|dist)\//.test(file)) return "prisma-defender";
  if (/\/(bench|tests)\//.test(file)) return "(bench / test harness)";
  return file;
}

export interface Summary {
  totalMs: number;
  byFunction: { key: string; ms: number }[];
  byPackage: { key: string; ms: number }[];
}

/** Self time per function (name, file and line) and per package, in ms, largest first. */
export function summarise(profile: CpuProfile): Summary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)!.callFrame;
    const file = frame.url
      ? `${frame.url.replace(/^file:\/\//, "").replace(/^.*\/node_modules\//, "")}:${frame.lineNumber + 1}`
      : "";
    const fn = `${frame.functionName || "(anonymous)"} ${file}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const pkg = packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    total += us;
  }
  const sorted = (m: Map<string, number>) =>
    [...m].map(([key, us]) => ({ key, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total / 1000, byFunction: sorted(byFunction), byPackage: sorted(byPackage) };
}

function print(file: string, s: Summary, top: number): void {
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%`;
  const line = (e: { key: string; ms: number }) =>
    `${e.ms.toFixed(0).padStart(8)} ms ${pct(e.ms)}  ${e.key}`;
  console.log(`\n${file}: ${s.totalMs.toFixed(0)} ms sampled`);
  console.log("  self time by package:");
  for (const e of s.byPackage.slice(0, top)) console.log(`  ${line(e)}`);
  console.log(`  self time by function (top ${top}):`);
  for (const e of s.byFunction.slice(0, top)) console.log(`  ${line(e)}`);
}

function main(argv: string[]): void {
  const topAt = argv.indexOf("--top");
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 25;
  const inputs = argv.filter((a, i) => a !== "--top" && (topAt < 0 || i !== topAt + 1));
  if (!inputs.length) {
    console.error("usage: npx tsx bench/cpuprofile.ts <file.cpuprofile|dir> [...] [--top 25]");
    process.exitCode = 2;
    return;
  }
  const files = inputs.flatMap((p) =>
    fs.statSync(p).isDirectory()
      ? fs
          .readdirSync(p)
          .filter((f) => f.endsWith(".cpuprofile"))
          .sort()
          .map((f) => path.join(p, f))
      : [p],
  );
  for (const file of files) {
    print(file, summarise(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile), top);
  }
}

if (require.main === module) main(process.argv.slice(2));
