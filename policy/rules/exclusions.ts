// defender-exclusions: the workloads a team accepts unprotected (by tag or URN pattern), each listed as an advisory
// so exclusions stay visible in every preview. It runs first and sets the exclusions the other policies honour;
// disabling it turns exclusions off rather than hiding them.
import type { StackValidationPolicy } from "@pulumi/policy";
import {
  DEFAULT_EXCLUDE_TAG,
  ExclusionConfig,
  TYPE,
  describe,
  exclusionReason,
  setExclusions,
} from "./common";

/** Resource types the workload policies check, so the ones an exclusion can apply to. */
const WORKLOADS: string[] = [
  TYPE.lambda,
  TYPE.taskDefinition,
  TYPE.webApp,
  TYPE.windowsFunctionApp,
  TYPE.linuxFunctionApp,
];

export function exclusionsPolicy(): StackValidationPolicy {
  return {
    name: "defender-exclusions",
    description:
      "Lists the workloads excluded from the Defender checks (by tag or URN pattern); exclusions apply only while this policy is enabled.",
    enforcementLevel: "advisory",
    configSchema: {
      properties: {
        tag: {
          type: "string",
          default: DEFAULT_EXCLUDE_TAG,
          description: "Tag key that excludes a workload; its value is the reason.",
        },
        urns: {
          type: "array",
          items: { type: "string" },
          default: [],
          description: "URN patterns (`*` wildcards) of excluded workloads.",
        },
      },
    },
    validateStack: (args, report) => {
      const c = args.getConfig<Partial<ExclusionConfig>>();
      const config: ExclusionConfig = { tag: c.tag || DEFAULT_EXCLUDE_TAG, urns: c.urns ?? [] };
      setExclusions(config);
      for (const r of args.resources) {
        if (!WORKLOADS.includes(r.type)) continue;
        const why = exclusionReason(r, config);
        if (why) report(`${describe(r)} is excluded from the Defender checks (${why}).`, r.urn);
      }
    },
  };
}
