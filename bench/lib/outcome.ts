// What each benchmark hands back to bench/run.ts: its tables (printed as they come) and its rows of the final
// ratios table.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface RatioRow {
  benchmark: string;
  /** What the figure is, such as "peak RSS - baseline (MB)". */
  measure: string;
  /** The figure; ratios as text with two decimals ("1.00"). */
  measured: number | string | undefined;
  /** The goal, as text (such as "<= 64"). */
  goal: string;
  met: boolean | undefined;
  /** The figure users compare it with, when there is one (such as the Terraform example's ratio). */
  reference?: string;
}

export interface BenchOutcome {
  tables: string[];
  ratios: RatioRow[];
}

/** A fresh private directory for a child's download cache, removed by `cleanup`. */
export function scratchDir(label: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `prisma-defender-bench-${label}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Why a benchmark could not run: its first line, plus the first "Error:" line under it (a child's cause). */
export function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const cause = lines.slice(1).find((l) => /^\w*Error: /.test(l));
  return [lines[0] ?? text, cause].filter(Boolean).join(" ").slice(0, 400);
}
