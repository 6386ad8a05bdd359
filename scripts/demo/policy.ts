// The demo's last step: the policy pack in policy/ (what `pulumi preview --policy-pack policy` runs) over what every
// example registers, started as the Pulumi CLI starts it, with its verdicts per example. `--no-policy` skips it.
import * as fs from "fs";
import * as path from "path";
import { POLICY_DIR, startPolicyPack } from "./policyAnalyzer";
import type { Diagnostic } from "./policyAnalyzer";
import { collectExampleResources } from "./policyResources";
import { unprotected } from "./policyUnprotect";
import type { DemoReport } from "./run";

const WORKLOADS = [
  "aws:lambda/function:Function",
  "aws:ecs/taskDefinition:TaskDefinition",
  "azure-native:web:WebApp",
];

/** A diagnostic's message without the policy's description line the analyzer puts first. */
const text = (d: Diagnostic) => d.message.split("\n").slice(1).join(" ");

export interface PolicyDemoOptions {
  write?: (text: string) => void;
  only?: string[];
  preview?: boolean;
}

/** Runs the pack over the examples and prints its verdicts; true when no example has a mandatory violation. */
export async function runPolicyDemo(options: PolicyDemoOptions = {}): Promise<boolean> {
  const write = options.write ?? ((t: string) => process.stdout.write(t));
  write("\n━━ policy pack (policy/): pulumi preview --policy-pack policy ━━\n");
  if (!fs.existsSync(path.join(POLICY_DIR, "node_modules", "@pulumi", "policy"))) {
    write("   ✗ the pack's dependencies are not installed: run bash scripts/setup.sh\n\n");
    return false;
  }
  const [pack, runs] = await Promise.all([
    startPolicyPack(),
    collectExampleResources({ only: options.only, preview: options.preview }),
  ]);
  let ok = true;
  try {
    const info = await pack.info();
    write(
      `   ${info.name}@${info.version}: ${info.policies.map((p) => `${p.name} (${p.enforcementLevel})`).join(", ")}\n`,
    );
    for (const run of runs) {
      if (run.errors.length) {
        ok = false;
        write(`   ✗ examples/${run.id}: the program failed, nothing to check\n`);
        continue;
      }
      const each = await Promise.all(run.resources.map((r) => pack.analyze(r)));
      const ds: Diagnostic[] = [...each.flat(), ...(await pack.analyzeStack(run.resources))];
      const mandatory = ds.filter((d) => d.enforcementLevel === "mandatory");
      if (mandatory.length) ok = false;
      const workloads = run.resources.filter((r) => WORKLOADS.includes(r.type));
      write(
        `   ${mandatory.length ? "✗" : "✓"} examples/${run.id}: ${run.resources.length} resources, ` +
          `${workloads.length} workload(s) (${workloads.map((w) => w.name).join(", ")}): ` +
          `${ds.length ? `${ds.length} finding(s)` : "every policy passes"}\n`,
      );
      for (const d of ds) write(`       ${d.enforcementLevel} ${d.policyName}: ${text(d)}\n`);
      // The counter-check: the same workloads declared without prisma-defender must be rejected.
      // A workload its owner excluded by tag is reported as an advisory instead, by design (docs/policy.md).
      const plain = unprotected(run.resources);
      const findings = await pack.analyzeStack(plain);
      const caught = findings.filter((d) => d.enforcementLevel === "mandatory");
      const excluded = findings.filter((d) => d.policyName === "defender-exclusions");
      const plainWorkloads = plain.filter((r) => WORKLOADS.includes(r.type));
      const isExcluded = (w: { urn: string }) => excluded.some((d) => d.urn === w.urn);
      const missed = plainWorkloads.filter(
        (w) => !caught.some((d) => d.urn === w.urn) && !isExcluded(w),
      );
      if (missed.length) ok = false;
      const exempt = plainWorkloads.filter(isExcluded).map((w) => w.name);
      write(
        `     without prisma-defender: ${caught.length} mandatory violation(s)` +
          `${missed.length ? `, ✗ not caught: ${missed.map((w) => w.name).join(", ")}` : ", every workload caught"}` +
          `${exempt.length ? ` (excluded by tag, advisory: ${exempt.join(", ")})` : ""}\n`,
      );
      for (const d of caught) write(`       ${d.policyName}: ${text(d)}\n`);
    }
  } finally {
    await pack.close();
  }
  write("\n");
  return ok;
}

/** The demo's hook (scripts/demo.ts): after the examples ran, unless `--no-policy`, add the pack's verdicts. */
export function policyStep(argv: string[]) {
  return async (report: DemoReport): Promise<DemoReport> => {
    if (argv.includes("--no-policy")) return report;
    const i = argv.indexOf("--only");
    const ok = await runPolicyDemo({
      only: i >= 0 ? argv[i + 1]?.split(",") : undefined,
      preview: argv.includes("--preview"),
    });
    return { ...report, ok: report.ok && ok };
  };
}
