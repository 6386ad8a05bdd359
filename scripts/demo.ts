// npm run demo [-- --preview] [-- --only fargate,yaml] [-- --no-policy] [-- --upgrade]
// Runs every example against the Console simulator under Pulumi mocks; exits 1 if any example fails.
import { runDemo } from "./demo/run";
import { policyStep } from "./demo/policy";
import { runUpgradeDemo } from "./demo/upgrade";

function arg(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

(process.argv.includes("--upgrade")
  ? runUpgradeDemo(arg("--only")?.split(",")) // what a Defender upgrade changes in a preview
  : runDemo({
      preview: process.argv.includes("--preview"),
      only: arg("--only")?.split(","),
    }).then(policyStep(process.argv))
) // the policy pack's verdicts on every example (--no-policy skips them)
  .then(
    (report) => process.exit(report.ok ? 0 : 1),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
