// `requireDefenderVersion`: a semver range the Console's version must satisfy, so a Defender upgrade happens on
// purpose. Console versions are dotted with zero-padded parts (`34.04.145`), which strict semver rejects, so both
// the version and the range are read with leading zeros dropped (`34.04.145` is 34.4.145, `~34.04` is ~34.4).
import semver from "semver";
import { ConsoleError } from "../errors";
import { Checked } from "../settingsRules";

const dropLeadingZeros = (text: string) => text.replace(/\d+/g, (n) => String(Number(n)));

/** The range normalised for `semver`, or a problem naming the setting and the fix. */
export function checkVersionRange(raw: string, where: string): Checked<string> {
  const text = raw.trim();
  const range = semver.validRange(dropLeadingZeros(text));
  if (!text || range === null) {
    return {
      ok: false,
      problem: `${where} must be a semver range such as "~34.04" or ">=32.07 <35" (got "${text}")`,
    };
  }
  return { ok: true, value: text };
}

/** The Console's version as semver (`34.04.145` is 34.4.145), or undefined when it is not three numbers. */
export function consoleSemver(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  return m ? `${Number(m[1])}.${Number(m[2])}.${Number(m[3] ?? 0)}` : undefined;
}

/** Throws a ConsoleError naming both versions when the Console's version is outside `range`. */
export function requireConsoleVersion(version: string, range: string, endpoint: string): void {
  const actual = consoleSemver(version);
  if (actual && semver.satisfies(actual, dropLeadingZeros(range))) return;
  throw new ConsoleError({
    endpoint,
    kind: "request",
    problem: `the Console's version is ${version}, outside requireDefenderVersion "${range}"`,
    hint:
      `Nothing was deployed. If the Defender upgrade to ${version} is intended, set requireDefenderVersion to a ` +
      `range that includes it (stack config \`prisma-defender:requireDefenderVersion\`, or the \`console\` arg).`,
  });
}
