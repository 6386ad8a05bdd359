// Benchmark 6: what `require("prisma-defender")` costs a program, from the packed tarball installed as npm leaves it,
// against a bare `require("@pulumi/aws")` (goal <= 1.15x). Each figure is a fresh `node` process, from spawn to exit;
// the runs alternate between the cases and the medians are compared. A second, informative row adds touching the
// AWS components (what a program that constructs them loads before its first resource).
import { spawn } from "node:child_process";
import { installedPackage, REPO_ROOT } from "../../scripts/package/tarball";
import { BenchOutcome } from "../lib/outcome";
import { formatTable, median, ms, ratio } from "../lib/table";

const RUNS = 7;
const GOAL = 1.15;

const CASES = {
  aws: "require('@pulumi/aws')",
  package: "require('prisma-defender')",
  awsComponents:
    "const p = require('prisma-defender'); p.ProtectedLambda; p.DefenderLayer; p.ProtectedFargateTask",
  optionalPeers:
    "require('prisma-defender').ProtectedLambda; console.log(Object.keys(require.cache).filter((f) => /@pulumi[\\\\/](azure-native|docker)[\\\\/]/.test(f)).length)",
};

function runNode(code: string, modulesDir: string): Promise<{ ms: number; stdout: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", code], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_PATH: modulesDir },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", reject);
    child.on("exit", (exitCode) =>
      exitCode === 0
        ? resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, stdout })
        : reject(new Error(`node -e "${code}" exited with ${exitCode}`)),
    );
  });
}

export async function packageLoadBenchmark(): Promise<BenchOutcome> {
  const modulesDir = installedPackage("bench");
  const times: Record<"aws" | "package" | "awsComponents", number[]> = {
    aws: [],
    package: [],
    awsComponents: [],
  };
  const rows: (string | number)[][] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const key of ["aws", "package", "awsComponents"] as const) {
      times[key].push((await runNode(CASES[key], modulesDir)).ms);
    }
    rows.push([i + 1, ms(times.aws[i]), ms(times.package[i]), ms(times.awsComponents[i])]);
  }
  const aws = median(times.aws);
  const pkg = median(times.package);
  const withComponents = median(times.awsComponents);
  rows.push(["median", ms(aws), ms(pkg), ms(withComponents)]);
  const peers = (await runNode(CASES.optionalPeers, modulesDir)).stdout.trim();
  const table = formatTable(
    `6. Loading the installed package (fresh node process each, spawn to exit, ms); ` +
      `@pulumi/azure-native or @pulumi/docker modules loaded by an AWS-only program: ${peers}`,
    ["run", "require('@pulumi/aws')", "require('prisma-defender')", "+ AWS components"],
    rows,
  );
  const r = pkg / aws;
  return {
    tables: [table],
    ratios: [
      {
        benchmark: "6. package load",
        measure: "require('prisma-defender') / require('@pulumi/aws')",
        measured: ratio(r),
        goal: `<= ${GOAL}`,
        met: r <= GOAL,
        reference: `${ms(pkg)} ms vs ${ms(aws)} ms`,
      },
      {
        benchmark: "6. package load",
        measure: "+ touching the AWS components / require('@pulumi/aws')",
        measured: ratio(withComponents / aws),
        goal: "(informative)",
        met: undefined,
        reference: `${ms(withComponents)} ms`,
      },
    ],
  };
}
