// From the component's args and the cleaned `containerDefinitions` to the body the Console is sent, with every
// problem the Console would trip over (or AWS would reject later) reported first, in one error.
import type { FargateProtectParams } from "../core/console/endpoints";
import { fargateParams } from "../core/console/schemas";
import {
  ContainerDefinition,
  DEFENDER_CONTAINER,
  FargateTaskError,
  INSTALL_BUNDLE,
  TaskDocument,
  containerLabel,
  containersWithVariable,
  defenderPrefixOf,
} from "./taskDefinition";
import { stableJson } from "./taskDefinitionKeys";

/** Resolved args for the fields in SENT_TASK_FIELDS (undefined when not given). */
export interface SentTaskArgs {
  family?: string;
  requiresCompatibilities?: string[];
  networkMode?: string;
  cpu?: string;
  memory?: string;
  runtimePlatform?: { cpuArchitecture?: string; operatingSystemFamily?: string };
}

/** The Defender options of the Fargate endpoints (docs/console-api.md#fargate-query), resolved: their query parameters but `defenderType`. */
export type DefenderOptionValues = Omit<Partial<FargateProtectParams>, "defenderType">;

/** Names of the Defender options, read from the endpoint's schema. */
export const DEFENDER_OPTION_KEYS = Object.keys(fargateParams.shape).filter(
  (k): k is keyof DefenderOptionValues => k !== "defenderType",
);

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;

/** Problems with the Defender options alone (no task needed). */
export function defenderOptionProblems(options: DefenderOptionValues): string[] {
  const problems: string[] = [];
  for (const field of ["registryType", "registryCredentialId"] as const) {
    if (options[field] && !options.extractEntrypoint) {
      problems.push(
        `\`${field}\` is only used to look up image entrypoints: set \`extractEntrypoint: true\` as well, or remove it`,
      );
    }
  }
  const address = options.consoleAddress;
  if (address !== undefined && !/^[A-Za-z0-9.-]+$/.test(address)) {
    problems.push(
      `\`consoleAddress\` must be a host name Defenders connect to, such as console.example.com (one of the names in the Console's certificate), not a URL or host:port (got "${address}")`,
    );
  }
  const image = options.defenderImage;
  if (image !== undefined && (image === "" || /\s/.test(image))) {
    problems.push(
      `\`defenderImage\` must be a full image reference such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/twistlock/defender:defender_34_04_145 (got "${image}")`,
    );
  }
  return problems;
}

/**
 * The SENT_TASK_FIELDS with defaults applied: each from its arg or from the whole task definition given in
 * `containerDefinitions` (both given: they must agree). Throws on a conflict.
 */
export function resolveSentFields(doc: TaskDocument, args: SentTaskArgs): SentTaskArgs {
  const problems: string[] = [];
  const pick = <K extends keyof SentTaskArgs>(field: K): SentTaskArgs[K] =>
    pickTaskField(field, args[field], doc.task[field], problems) as SentTaskArgs[K];
  const fields: SentTaskArgs = {
    family: pick("family"),
    requiresCompatibilities: pick("requiresCompatibilities") ?? ["FARGATE"],
    // Fargate accepts nothing else; AWS would reject the registration without it.
    networkMode: pick("networkMode") ?? "awsvpc",
    cpu: stringOrUndefined(pick("cpu")),
    memory: stringOrUndefined(pick("memory")),
    runtimePlatform: pick("runtimePlatform"),
  };
  if (problems.length > 0) {
    throw new FargateTaskError(
      "containerDefinitions",
      "the task definition cannot be protected as given",
      problems,
    );
  }
  return fields;
}

/**
 * The body to POST to `fargate.json`: the containers plus the task-level fields the transform may look at (never
 * roles, volumes or tags). Throws a FargateTaskError listing every problem the Console or AWS would trip over.
 */
export function buildConsoleRequest(
  doc: TaskDocument,
  args: SentTaskArgs,
  options: DefenderOptionValues,
): Record<string, unknown> {
  const request: Record<string, unknown> = {
    ...resolveSentFields(doc, args),
    containerDefinitions: doc.containers,
  };
  for (const key of Object.keys(request)) if (request[key] === undefined) delete request[key];
  const problems = [
    ...taskProblems(request),
    ...containerProblems(doc.containers, options),
    ...defenderOptionProblems(options),
  ];
  if (problems.length > 0) {
    throw new FargateTaskError(
      "containerDefinitions",
      "the task definition cannot be protected as given",
      problems,
    );
  }
  return request;
}

/**
 * One task-level value from the arg or the pasted task definition. Both given and different is a problem: we
 * would have to guess which one the user meant.
 */
export function pickTaskField(
  field: string,
  argValue: unknown,
  docValue: unknown,
  problems: string[],
): unknown {
  if (argValue === undefined || argValue === null) return docValue;
  if (
    docValue !== undefined &&
    stableJson(normalizeScalar(argValue)) !== stableJson(normalizeScalar(docValue))
  ) {
    problems.push(
      `\`${field}\` is given twice, as the arg (${JSON.stringify(argValue)}) and in the task definition in \`containerDefinitions\` (${JSON.stringify(docValue)}): remove one`,
    );
  }
  return argValue;
}

function taskProblems(task: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const family = task.family;
  if (family === undefined) {
    problems.push(
      "no `family`: set the `family` arg (or `family` in the task definition given in `containerDefinitions`)",
    );
  } else if (typeof family !== "string" || !FAMILY.test(family)) {
    problems.push(
      `\`family\` must be 1-255 letters, digits, hyphens and underscores (got ${JSON.stringify(family)})`,
    );
  }
  const compat = task.requiresCompatibilities;
  if (!Array.isArray(compat) || !compat.includes("FARGATE")) {
    problems.push(
      `\`requiresCompatibilities\` is ${JSON.stringify(compat)}: the Console's Fargate protection is for tasks that run on Fargate; include "FARGATE" (the default when unset), or protect EC2 container instances with a host Defender instead`,
    );
  }
  if (task.networkMode !== "awsvpc") {
    problems.push(
      `\`networkMode\` is "${String(task.networkMode)}": Fargate tasks use "awsvpc" (the default when unset)`,
    );
  }
  for (const field of ["cpu", "memory"]) {
    if (task[field] === undefined) {
      problems.push(
        `no task-level \`${field}\`: Fargate requires task-level \`cpu\` and \`memory\` (for example cpu: "256", memory: "512")`,
      );
    }
  }
  return problems;
}

export function containerProblems(
  containers: ContainerDefinition[],
  options: DefenderOptionValues,
): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const c of containers)
    if (typeof c.name === "string") seen.set(c.name, (seen.get(c.name) ?? 0) + 1);
  for (const [name, count] of seen) {
    if (count > 1)
      problems.push(
        `container name "${name}" is used by ${count} containers: names must be unique`,
      );
  }
  const marks: string[] = [];
  containers.forEach((c, i) => {
    if (c.name === DEFENDER_CONTAINER)
      marks.push(`it has a container named "${DEFENDER_CONTAINER}"`);
    const prefix = defenderPrefixOf(c.entryPoint);
    if (prefix)
      marks.push(`the \`entryPoint\` of ${containerLabel(c, i)} starts with ${prefix[0]}`);
  });
  const bundled = containersWithVariable(containers, INSTALL_BUNDLE);
  if (bundled.length > 0) marks.push(`${bundled.join(", ")} already carry ${INSTALL_BUNDLE}`);
  if (marks.length > 0) {
    problems.push(
      `\`containerDefinitions\` is already protected (${marks.join("; ")}): pass the original, unprotected definition; the component asks the Console to protect it on every deployment, so the Defender stays in step with the Console`,
    );
    return problems;
  }
  if (!options.extractEntrypoint) {
    const missing = containers
      .filter((c) => c.entryPoint === undefined)
      .map((c) => `"${String(c.name)}"`);
    if (missing.length > 0) {
      const who =
        missing.length === 1
          ? `container ${missing[0]} has`
          : `containers ${missing.slice(0, -1).join(", ")} and ${missing[missing.length - 1]} have`;
      problems.push(
        `${who} no \`entryPoint\`. The Console starts each container's entrypoint under the Defender, so it must know it. Either add \`entryPoint\` (the image's ENTRYPOINT, as shown by \`docker inspect --format '{{json .Config.Entrypoint}}' <image>\`; for an image with only a CMD, use ["sh", "-c"] with the command as one string in \`command\`, as Prisma's samples do), or set \`extractEntrypoint: true\` so the Console looks the entrypoint up in its registry scan results or, with \`registryType\` and \`registryCredentialId\`, in the registry`,
      );
    }
  }
  return problems;
}

function stringOrUndefined(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

/** Task cpu/memory may be written as numbers or strings; they mean the same. */
function normalizeScalar(value: unknown): unknown {
  return typeof value === "number" ? String(value) : value;
}
