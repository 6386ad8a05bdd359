// `npm run demo -- --upgrade`: what a Defender upgrade looks like in `pulumi preview`. The examples run in preview
// mode against the Console simulator at one version, then at the next (same seed and credentials: only the version
// differs, as when one Console is upgraded), and the lines of the previews that differ are printed side by side.
import { startConsoleSimulator } from "../../provider/simulator";
import { DemoReport, runDemo } from "./run";

export const UPGRADE_FROM = "34.04.145";
export const UPGRADE_TO = "34.04.160";

/**
 * Lines that differ between two runs for reasons other than the Console: timings, the simulator's address, and the
 * order of the preview's resource tree (registrations finish in any order; every resource is listed again below it).
 */
const incidental = (line: string) =>
  /\d+(\.\d+)? s\b|\d+(\.\d+)? s\)|https:\/\/127\.0\.0\.1:\d+|Console \d+\.\d+|[├└]─/.test(line);

/** A resource's heading (`name (type)`) or an example's (`━━ examples/...`). */
const isHeading = (line: string) =>
  /^\s*\S+ \([a-z0-9-]+:[^)]*\)\s*$/.test(line) || /^\s*Outputs:\s*$/.test(line);

/** The lines of `after` that differ from `before`, each with the resource (or section) heading above it. */
export function previewChanges(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  if (a.length !== b.length) {
    const known = new Set(a);
    return b.filter((l) => !known.has(l) && !incidental(l)).map((l) => `  + ${l.trim()}`);
  }
  const out: string[] = [];
  let section = "";
  let heading = "";
  let printedSection = "";
  let printed = "";
  for (let i = 0; i < b.length; i++) {
    if (/━━/.test(b[i]))
      section = b[i]
        .replace(/━━/g, "")
        .replace(/ ok in .*$/, "")
        .trim();
    if (isHeading(b[i])) heading = b[i].trim();
    if (a[i] === b[i] || incidental(b[i])) continue;
    if (section !== printedSection) {
      out.push(`${section}:`);
      printedSection = section;
      printed = "";
    }
    if (heading !== printed) {
      out.push(` ${heading}`);
      printed = heading;
    }
    out.push(`  - ${a[i].trim()}`, `  + ${b[i].trim()}`);
  }
  return out;
}

export async function runUpgradeDemo(only?: string[]): Promise<DemoReport> {
  const users = [{ username: "demo", password: "demo-upgrade-password" }];
  const older = await startConsoleSimulator({ version: UPGRADE_FROM, seed: "demo-upgrade", users });
  const newer = await startConsoleSimulator({ version: UPGRADE_TO, seed: "demo-upgrade", users });
  try {
    let before = "";
    let after = "";
    const first = await runDemo({
      simulator: older,
      preview: true,
      only,
      write: (t) => (before += t),
    });
    const second = await runDemo({
      simulator: newer,
      preview: true,
      only,
      write: (t) => (after += t),
    });
    const changes = previewChanges(before, after);
    process.stdout.write(
      `prisma-defender demo --upgrade: every example previewed against the Console at ${UPGRADE_FROM}, then at ` +
        `${UPGRADE_TO}. What a preview shows as changed by the upgrade (- before, + after):\n\n` +
        (changes.length ? changes.join("\n") : "(nothing)") +
        "\n\nEverything else in the previews is identical. requireDefenderVersion (a semver range) makes such an " +
        "upgrade fail the preview until the range admits the new version.\n",
    );
    const failed = [
      ...first.examples.filter((e) => !e.ok).map((e) => ({ ...e, at: UPGRADE_FROM })),
      ...second.examples.filter((e) => !e.ok).map((e) => ({ ...e, at: UPGRADE_TO })),
    ];
    for (const e of failed) {
      process.stdout.write(`\n✗ examples/${e.id} failed at ${e.at}:\n  ${e.errors.join("\n  ")}\n`);
    }
    return { ok: !failed.length, examples: [...first.examples, ...second.examples] };
  } finally {
    await older.close();
    await newer.close();
  }
}
