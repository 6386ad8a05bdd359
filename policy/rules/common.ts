// Shared by the rules: how a violation reads, which resources are workloads, and the stack's exclusions.
import type { PolicyResource } from "@pulumi/policy";
import { obj, raw, str } from "./wire";

/** Type tokens of the prisma-defender components (`prisma-defender:index:<Component>`). */
export const COMPONENT = {
  fargateTask: "prisma-defender:index:ProtectedFargateTask",
  lambda: "prisma-defender:index:ProtectedLambda",
  layer: "prisma-defender:index:DefenderLayer",
  azureFunction: "prisma-defender:index:ProtectedAzureFunction",
  image: "prisma-defender:index:EmbeddedDefenderImage",
  /** What protectStack adds for a task definition it protects (the INSTALL_BUNDLE secret and its reader). */
  stackTask: "prisma-defender:index:StackTaskProtection",
} as const;

export const TYPE = {
  lambda: "aws:lambda/function:Function",
  layerVersion: "aws:lambda/layerVersion:LayerVersion",
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  webApp: "azure-native:web:WebApp",
  webAppSettings: "azure-native:web:WebAppApplicationSettings",
  windowsFunctionApp: "azure:appservice/windowsFunctionApp:WindowsFunctionApp",
  linuxFunctionApp: "azure:appservice/linuxFunctionApp:LinuxFunctionApp",
} as const;

/** `aws:ecs/taskDefinition:TaskDefinition "web"`: how every message names a resource. */
export const describe = (r: { type: string; name: string }) => `${r.type} "${r.name}"`;

/** One message per violation: the resource, what is missing, the fix. */
export function message(r: { type: string; name: string }, problem: string, fix: string): string {
  return `${describe(r)} ${problem}. Fix: ${fix}.`;
}

/** Whether one of `r`'s ancestors (parent, its parent, ...) has type `type`. */
export function under(r: PolicyResource, type: string): boolean {
  for (let p: PolicyResource | undefined = r.parent; p; p = p.parent)
    if (p.type === type) return true;
  return false;
}

/** `*` matches any run of characters; everything else is literal. */
export function glob(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

// ---- exclusions ------------------------------------------------------------------------------------------------

export const DEFAULT_EXCLUDE_TAG = "prisma-defender-exclude";

export interface ExclusionConfig {
  /** Tag key that marks a workload a team accepts unprotected; its value is the reason. */
  tag: string;
  /** URN patterns (`*` wildcards) of workloads accepted unprotected. */
  urns: string[];
}

/**
 * The exclusions in force. Set by the `defender-exclusions` policy, which runs first in every AnalyzeStack call
 * (policies run in the order the pack lists them) and lists each exclusion. Each workload policy takes them once per
 * setting: when the exclusions policy did not run in this call (it is disabled), what a policy would read is the
 * previous call's, already taken, so nothing is excluded and an exclusion can never be silent.
 */
let current: { config: ExclusionConfig; takenBy: Set<string> } | undefined;

export function setExclusions(config: ExclusionConfig): void {
  current = { config, takenBy: new Set() };
}

/** The exclusions for one run of `policy`, or undefined when none are in force for it. */
export function takeExclusions(policy: string): ExclusionConfig | undefined {
  if (!current || current.takenBy.has(policy)) return undefined;
  current.takenBy.add(policy);
  return current.config;
}

/** Why `r` is excluded (tag value or matching pattern), or undefined. */
export function exclusionReason(
  r: PolicyResource,
  c: ExclusionConfig | undefined,
): string | undefined {
  if (!c) return undefined;
  const tags = obj(raw(r.props).tags);
  const tag = tags ? str(tags[c.tag]) : undefined;
  if (tag !== undefined) return `tag ${c.tag}=${JSON.stringify(tag)}`;
  const hit = c.urns.find((p) => glob(p).test(r.urn));
  return hit ? `URN pattern ${JSON.stringify(hit)}` : undefined;
}

export const EXCLUDE_HINT = (tag = current?.config.tag ?? DEFAULT_EXCLUDE_TAG) =>
  `or, to accept it unprotected, tag it ${tag}=<reason> (listed by defender-exclusions)`;
