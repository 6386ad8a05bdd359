// The unprotected side of a Fargate task definition: read what the user gave, clean it the way Prisma's own scripts
// do before they POST it (pcs-cwp-fargate-deploy), and refuse, before any request, what the Console cannot protect.
// Pure functions over plain JSON; the Console's answer is checked in taskDefinitionCheck.ts.
import { problem, ProblemsError } from "../core/problems";
import { canonicalKey, canonicalizeKeys, isPlainObject } from "./taskDefinitionKeys";

export type ContainerDefinition = Record<string, unknown>;

/** The sidecar the Console adds, last in `containerDefinitions`. */
export const DEFENDER_CONTAINER = "TwistlockDefender";
export const INSTALL_BUNDLE = "INSTALL_BUNDLE";

/**
 * What the Console puts in front of each container's entrypoint, current first. The two older forms are what
 * 21.x (2021) and 20.x (2020) Consoles wrote (docs/console-api.md#entrypoint-prefixes); task definitions protected
 * then still run.
 */
export const DEFENDER_ENTRYPOINT_PREFIXES: readonly (readonly string[])[] = [
  ["/var/lib/twistlock/fargate/defender", "fargate", "entrypoint"],
  ["/var/lib/twistlock/fargate/fargate_defender.sh", "fargate", "entrypoint"],
  ["/twistlock/fargate_defender.sh", "fargate", "entrypoint"],
];

/** Fields `describe-task-definition` returns that `RegisterTaskDefinition` rejects (as FARGATE-DEPLOY strips). */
export const READ_ONLY_TASK_FIELDS = [
  "taskDefinitionArn",
  "revision",
  "status",
  "requiresAttributes",
  "compatibilities",
  "registeredAt",
  "registeredBy",
  "deregisteredAt",
  "deleteRequestedAt",
];

/**
 * Problems with one input (`containerDefinitions`, `template`, or the Console's answer for it: field `console`),
 * each read as `<intro>: <problem>`.
 */
export class FargateTaskError extends ProblemsError {
  /** What could not be done, such as `the task definition cannot be protected as given`. */
  readonly intro: string;
  /** The problems as found, without the intro. */
  readonly details: string[];

  constructor(field: string, intro: string, problems: string[]) {
    super(problems.map((p) => problem(field, `${intro}: ${p}`)));
    this.name = "FargateTaskError";
    this.intro = intro;
    this.details = problems;
  }
}

/** What the user's `containerDefinitions` text holds, cleaned. */
export interface TaskDocument {
  /** Task-level fields when a whole task definition was given (ECS spelling), read-only fields removed. */
  task: Record<string, unknown>;
  containers: ContainerDefinition[];
}

/**
 * A JSON.parse error without the text it quotes: for an unexpected token V8 echoes the input around it, which may be
 * a secret (an environment value of a secret `containerDefinitions` or template).
 */
export function jsonSyntaxProblem(error: unknown): string {
  const message = (error as Error).message;
  return /is not valid JSON$/.test(message)
    ? "an unexpected character; the text is not shown"
    : message;
}

/**
 * Parse `containerDefinitions`: the JSON array `aws.ecs.TaskDefinition` takes, or a whole task definition (as
 * `register-task-definition --cli-input-json` takes), or `describe-task-definition`'s output (`{"taskDefinition":
 * {...}}`). Keys are put in the API's spelling, read-only fields dropped, empty values removed.
 */
export function parseContainerDefinitions(text: string): TaskDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FargateTaskError("containerDefinitions", "cannot be read", [
      `it is not valid JSON (${jsonSyntaxProblem(e)}): pass the JSON text of the container definitions array, as for aws.ecs.TaskDefinition (for example JSON.stringify([...]))`,
    ]);
  }
  const problems: string[] = [];
  let doc = canonicalizeKeys(parsed, "containerDefinitions", problems);
  let wrapperTags: unknown;
  if (isPlainObject(doc) && isPlainObject(doc.taskDefinition)) {
    // describe-task-definition --include TAGS puts the tags beside the definition, not in it.
    wrapperTags = doc.tags;
    doc = doc.taskDefinition;
  }
  let task: Record<string, unknown> = {};
  let containers: unknown;
  if (Array.isArray(doc)) {
    containers = doc;
  } else if (isPlainObject(doc) && Array.isArray(doc.containerDefinitions)) {
    const { containerDefinitions, ...rest } = doc;
    containers = containerDefinitions;
    task = rest;
    if (wrapperTags !== undefined && task.tags === undefined) task.tags = wrapperTags;
    for (const field of READ_ONLY_TASK_FIELDS) delete task[field];
    task = pruneEmpty(task) as Record<string, unknown>;
  } else {
    problems.push(
      "`containerDefinitions` must be a JSON array of container definitions, or a whole task definition with a `containerDefinitions` array",
    );
  }
  const cleaned: ContainerDefinition[] = [];
  if (Array.isArray(containers)) {
    if (containers.length === 0) problems.push("`containerDefinitions` has no containers");
    containers.forEach((c, i) => {
      if (!isPlainObject(c)) {
        problems.push(`containerDefinitions[${i}] is not an object`);
        return;
      }
      cleaned.push(cleanContainer(c, i, problems));
    });
  }
  if (problems.length > 0) {
    throw new FargateTaskError("containerDefinitions", "cannot be protected", problems);
  }
  return { task, containers: cleaned };
}

function cleanContainer(
  container: ContainerDefinition,
  index: number,
  problems: string[],
): ContainerDefinition {
  const out = pruneEmpty(container) as ContainerDefinition;
  const label = containerLabel(out, index);
  for (const field of ["entryPoint", "command"]) {
    const value = out[field];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      problems.push(
        `\`${field}\` of ${label} must be an array of strings, such as ["sh", "-c"] (got ${JSON.stringify(value)})`,
      );
    } else if (value.every((v) => v === "")) {
      // An empty list counts as "present" to the Console and would be wrapped as no program at all.
      delete out[field];
    }
  }
  if (typeof out.name !== "string" || out.name === "") {
    problems.push(`${label} has no \`name\`: every container needs one`);
  }
  if (typeof out.image !== "string" || out.image === "") {
    problems.push(`${label} has no \`image\`: every container needs one`);
  }
  return out;
}

/** `container "web"` or, without a name, `containerDefinitions[2]`. */
export function containerLabel(container: ContainerDefinition, index: number): string {
  return typeof container.name === "string" && container.name !== ""
    ? `container "${container.name}"`
    : `containerDefinitions[${index}]`;
}

/** Keys whose empty-string value means something (`FOO=""` is a set variable). */
const EMPTY_STRING_ALLOWED = new Set(["value"]);
/** Maps with user-chosen keys: kept as given (their values are the user's), only dropped when empty. */
const KEEP_AS_IS = new Set(["dockerLabels", "options", "driverOpts", "labels"]);

/**
 * `value` without null, `""`, `[]` and `{}` members (recursively), which ECS treats as absent. The Console and
 * describe-task-definition output are full of them; leaving them in makes equal definitions look different.
 */
export function pruneEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneEmpty);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    // Either spelling: CloudFormation templates say `Value` and `Options`.
    const canonical = canonicalKey(key);
    const child = KEEP_AS_IS.has(canonical) ? raw : pruneEmpty(raw);
    if (child === null || child === undefined) continue;
    if (child === "" && !EMPTY_STRING_ALLOWED.has(canonical)) continue;
    if (Array.isArray(child) && child.length === 0) continue;
    if (isPlainObject(child) && Object.keys(child).length === 0) continue;
    out[key] = child;
  }
  return out;
}

/** The defender prefix `entryPoint` starts with (after an optional interpreter), or undefined. */
export function defenderPrefixOf(
  entryPoint: unknown,
  interpreter?: string,
): readonly string[] | undefined {
  if (!Array.isArray(entryPoint)) return undefined;
  const starts = (offset: number) =>
    DEFENDER_ENTRYPOINT_PREFIXES.find((p) => p.every((part, i) => entryPoint[offset + i] === part));
  const direct = starts(0);
  if (direct) return direct;
  if (interpreter && entryPoint[0] === interpreter) {
    const after = starts(1);
    if (after) return [interpreter, ...after];
  }
  return undefined;
}

/** Labels of containers whose environment or secrets hold a variable called `name`. */
export function containersWithVariable(containers: ContainerDefinition[], name: string): string[] {
  const has = (c: ContainerDefinition) =>
    ["environment", "secrets"].some(
      (f) =>
        Array.isArray(c[f]) && (c[f] as unknown[]).some((e) => isPlainObject(e) && e.name === name),
    );
  return containers.flatMap((c, i) => (has(c) ? [containerLabel(c, i)] : []));
}

/** The task-level fields the Console is sent and must hand back unchanged; everything else never leaves. */
export const SENT_TASK_FIELDS = [
  "family",
  "requiresCompatibilities",
  "networkMode",
  "cpu",
  "memory",
  "runtimePlatform",
] as const;

/** Task-level fields of a whole task definition that go straight to the registered child, never to the Console. */
export const PASSED_TASK_FIELDS = [
  "executionRoleArn",
  "taskRoleArn",
  "pidMode",
  "ipcMode",
  "enableFaultInjection",
  "volumes",
  "placementConstraints",
  "proxyConfiguration",
  "ephemeralStorage",
  "tags",
] as const;

/**
 * The PASSED_TASK_FIELDS of a whole task definition given in `containerDefinitions`, converted from the ECS API's
 * shapes to aws.ecs.TaskDefinitionArgs' (`host.sourcePath` → `hostPath`, tag and proxy property lists → maps,
 * `sizeInGiB` → `sizeInGib`). A field neither list knows is an error rather than silently dropped.
 */
export function documentTaskArgs(task: Record<string, unknown>): Record<string, unknown> {
  const known = new Set<string>([...SENT_TASK_FIELDS, ...PASSED_TASK_FIELDS]);
  const unknown = Object.keys(task).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new FargateTaskError(
      "containerDefinitions",
      "the task definition in it cannot be registered",
      [
        `${unknown.map((k) => `\`${k}\``).join(", ")} ${unknown.length === 1 ? "is not a field" : "are not fields"} aws.ecs.TaskDefinition can register: remove ${unknown.length === 1 ? "it" : "them"}`,
      ],
    );
  }
  const out: Record<string, unknown> = {};
  for (const field of PASSED_TASK_FIELDS) {
    const value = task[field];
    if (value === undefined) continue;
    out[field] = convert(field, value);
  }
  return out;
}

function convert(field: string, value: unknown): unknown {
  switch (field) {
    case "volumes":
      return (value as Record<string, unknown>[]).map(({ host, configuredAtLaunch, ...rest }) => {
        const volume: Record<string, unknown> = { ...rest };
        if (isPlainObject(host) && host.sourcePath !== undefined) volume.hostPath = host.sourcePath;
        if (configuredAtLaunch !== undefined) volume.configureAtLaunch = configuredAtLaunch;
        return volume;
      });
    case "tags":
      return listToMap(value, "key");
    case "proxyConfiguration": {
      const proxy = value as Record<string, unknown>;
      return proxy.properties === undefined
        ? proxy
        : { ...proxy, properties: listToMap(proxy.properties, "name") };
    }
    case "ephemeralStorage": {
      const { sizeInGiB, ...rest } = value as Record<string, unknown>;
      return { ...rest, sizeInGib: sizeInGiB };
    }
    default:
      return value;
  }
}

function listToMap(list: unknown, keyField: string): Record<string, unknown> {
  if (!Array.isArray(list)) return isPlainObject(list) ? list : {};
  return Object.fromEntries(
    list.filter(isPlainObject).map((entry) => [String(entry[keyField]), entry.value]),
  );
}
