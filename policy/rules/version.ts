// defender-version: the Defender versions a stack deploys satisfy a semver range (optional: without a range the
// policy checks nothing). Versions come from the prisma-defender components' `defenderVersion` outputs and from
// the TwistlockDefender sidecar image tag of task definitions written by hand.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import * as semver from "semver";
import { COMPONENT, TYPE, message, under } from "./common";
import { SIDECAR } from "./fargate";
import { arr, obj, parseJson, raw, str } from "./wire";

/**
 * Console versions are `34.04.145`: leading zeros, which semver refuses. Both the version and the range are read
 * with leading zeros dropped, so `>=34.03` and `>=34.3` mean the same.
 */
export const normalize = (v: string) => v.replace(/\b0+(\d)/g, "$1");

/** `...:defender_34_04_145` → `34.04.145` (the Console's image tag form). */
const fromImageTag = (image: string) =>
  /defender_(\d{2})_(\d{2})_(\d{3})/.exec(image)?.slice(1).join(".");

function versions(r: PolicyResource): string[] {
  const p = raw(r.props);
  if (r.type.startsWith("prisma-defender:index:")) {
    const v = str(p.defenderVersion);
    return v ? [v] : [];
  }
  if (r.type === TYPE.taskDefinition && !under(r, COMPONENT.fargateTask)) {
    const sidecar = (arr(parseJson(p.containerDefinitions)) ?? [])
      .map((c) => obj(c))
      .find((c) => c?.name === SIDECAR);
    const v = fromImageTag(str(sidecar?.image) ?? "");
    return v ? [v] : [];
  }
  return [];
}

export function versionPolicy(): StackValidationPolicy {
  return {
    name: "defender-version",
    description: "The Defender versions in the stack satisfy a semver range (configure `range`).",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        range: {
          type: "string",
          description:
            'A semver range the Defender versions must satisfy, e.g. ">=34.3" (leading zeros ignored: 34.04 = 34.4).',
        },
      },
    },
    validateStack: (args, report) => {
      const range = args.getConfig<{ range?: string }>().range;
      if (!range) args.notApplicable("no `range` is configured");
      const wanted = semver.validRange(normalize(range!));
      if (!wanted)
        throw new Error(`defender-version: range ${JSON.stringify(range)} is not a semver range`);
      for (const r of args.resources) {
        for (const v of versions(r)) {
          const ok =
            semver.valid(semver.coerce(normalize(v))) &&
            semver.satisfies(semver.coerce(normalize(v))!, wanted);
          if (ok) continue;
          report(
            message(
              r,
              `deploys Defender ${v}, outside the allowed range ${JSON.stringify(range)}`,
              "upgrade the Compute Console (the components deploy the Console's Defender version), or change the range",
            ),
            r.urn,
          );
        }
      }
    },
  };
}
