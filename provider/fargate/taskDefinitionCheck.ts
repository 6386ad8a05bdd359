// The protected side: check that the Console's answer really protects every container (fail closed), normalise it
// so an unchanged task never shows a diff, and take INSTALL_BUNDLE out of it so the definition carries no secret.
//
// Normal form, chosen to match what AWS and the aws provider treat as equal:
// - null, "", [] and {} members are dropped (ECS treats them as absent; the Console emits empty logConfiguration);
// - object keys are sorted;
// - `environment` and `secrets` are sorted by name: ECS does not keep their order (describe-task-definition returns
//   them reordered) and the aws provider sorts both before storing and diffing `containerDefinitions`;
// - every other array keeps its order: entryPoint/command order is meaning, and containers stay in the Console's
//   order (the sidecar last, where Prisma's own upgrade tooling looks for it).
import {
  ContainerDefinition,
  DEFENDER_CONTAINER,
  DEFENDER_ENTRYPOINT_PREFIXES,
  FargateTaskError,
  INSTALL_BUNDLE,
  READ_ONLY_TASK_FIELDS,
  defenderPrefixOf,
  pruneEmpty,
} from "./taskDefinition";
import { canonicalizeKeys, isPlainObject } from "./taskDefinitionKeys";
import { sortKeys, stableJson } from "./taskDefinitionKeys";

/** The Console's answer, checked and normalised, without its credential. */
export interface CheckedTaskDefinition {
  /** The protected containers in normal form, INSTALL_BUNDLE removed from every environment. */
  containers: ContainerDefinition[];
  /** The INSTALL_BUNDLE value: a credential. */
  installBundle: string;
  /** Names of the containers the Console gave INSTALL_BUNDLE (the sidecar, and any other). */
  installBundleContainers: string[];
  /** The sidecar's image. */
  defenderImage: string;
  /** `34.04.145` from a `defender_34_04_145` tag; undefined when the tag does not say. */
  defenderVersion?: string;
  /** The user's containers, in order, each now started under the Defender. */
  protectedContainers: string[];
  /** Each protected container's full `entryPoint`, defender prefix included. */
  wrappedEntrypoints: Record<string, string[]>;
}

export interface CheckOptions {
  interpreter?: string;
  defenderImage?: string;
}

/**
 * Check the Console's answer against what was sent: the TwistlockDefender sidecar is there (once, last) with an
 * image and INSTALL_BUNDLE; every container sent is still there with its image, and its entrypoint now starts with
 * the defender's; nothing else was added or changed. Throws a FargateTaskError listing every deviation.
 */
export function checkProtectedTaskDefinition(
  answer: unknown,
  sent: Record<string, unknown>,
  options: CheckOptions,
  where?: string,
): CheckedTaskDefinition {
  const fail = (problems: string[]): never => {
    throw new FargateTaskError(
      "console",
      `the Console's answer${where ? ` for ${where}` : ""} does not look like a protected task definition, so nothing was registered`,
      problems,
    );
  };
  const keyProblems: string[] = [];
  // A JSON copy: plain data of this realm whatever the client handed over (structuredClone can return objects of
  // another realm, whose arrays Pulumi would not recognise as arrays).
  const copy: unknown = answer === undefined ? undefined : JSON.parse(JSON.stringify(answer));
  let task = canonicalizeKeys(copy, "answer", keyProblems);
  if (isPlainObject(task) && isPlainObject(task.taskDefinition)) task = task.taskDefinition;
  if (!isPlainObject(task) || !Array.isArray(task.containerDefinitions)) {
    return fail(["it has no `containerDefinitions` array"]);
  }
  const pruned = pruneEmpty(task) as Record<string, unknown>;
  const containers = ((pruned.containerDefinitions ?? []) as unknown[]).filter(isPlainObject);
  const problems = [
    ...keyProblems,
    ...taskLevelProblems(pruned, pruneEmpty(sent) as Record<string, unknown>),
  ];

  const sidecars = containers.filter((c) => c.name === DEFENDER_CONTAINER);
  const sidecar = sidecars[0];
  if (!sidecar) problems.push(`it has no "${DEFENDER_CONTAINER}" sidecar container`);
  if (sidecars.length > 1)
    problems.push(`it has ${sidecars.length} "${DEFENDER_CONTAINER}" containers`);
  if (sidecar && containers[containers.length - 1] !== sidecar) {
    problems.push(`the "${DEFENDER_CONTAINER}" sidecar is not the last container`);
  }
  const defenderImage = typeof sidecar?.image === "string" ? sidecar.image : "";
  if (sidecar && !defenderImage) problems.push(`the "${DEFENDER_CONTAINER}" sidecar has no image`);
  if (options.defenderImage && sidecar && defenderImage !== options.defenderImage) {
    problems.push(
      `the sidecar's image is "${defenderImage}", not the \`defenderImage\` asked for ("${options.defenderImage}")`,
    );
  }

  const bundles = new Map<string, string>();
  for (const c of containers) {
    const value = variable(c, INSTALL_BUNDLE);
    if (value !== undefined) bundles.set(String(c.name), value);
  }
  const installBundle = sidecar ? bundles.get(DEFENDER_CONTAINER) : undefined;
  if (sidecar && !installBundle) {
    problems.push(
      `the "${DEFENDER_CONTAINER}" sidecar has no ${INSTALL_BUNDLE} in its environment`,
    );
  }
  if (new Set(bundles.values()).size > 1) {
    problems.push(
      `containers carry different ${INSTALL_BUNDLE} values (${[...bundles.keys()].join(", ")})`,
    );
  }

  const sentContainers = ((sent.containerDefinitions ?? []) as unknown[]).filter(isPlainObject);
  const wrappedEntrypoints: Record<string, string[]> = {};
  for (const original of sentContainers) {
    const name = String(original.name);
    const found = containers.filter((c) => c.name === name);
    if (found.length !== 1) {
      problems.push(
        `container "${name}" is ${found.length === 0 ? "missing" : "there more than once"}`,
      );
      continue;
    }
    const problem = wrapProblem(original, found[0], options.interpreter);
    if (problem) problems.push(`container "${name}": ${problem}`);
    else wrappedEntrypoints[name] = found[0].entryPoint as string[];
  }
  const sentNames = new Set(sentContainers.map((c) => c.name));
  const extra = containers.filter((c) => c.name !== DEFENDER_CONTAINER && !sentNames.has(c.name));
  if (extra.length > 0) {
    problems.push(
      `it adds containers nobody asked for: ${extra.map((c) => JSON.stringify(c.name)).join(", ")}`,
    );
  }
  if (problems.length > 0) fail(problems);

  return {
    containers: containers.map((c) => normalizeContainer(c, [INSTALL_BUNDLE])),
    installBundle: installBundle!,
    installBundleContainers: [...bundles.keys()],
    defenderImage,
    defenderVersion: defenderVersionOf(defenderImage),
    protectedContainers: sentContainers.map((c) => String(c.name)),
    wrappedEntrypoints,
  };
}

/** Why `wrapped` is not `original` started under the Defender, or undefined when it is. */
function wrapProblem(
  original: ContainerDefinition,
  wrapped: ContainerDefinition,
  interpreter: string | undefined,
): string | undefined {
  if (wrapped.image !== original.image) {
    return `its image changed from "${String(original.image)}" to "${String(wrapped.image)}"`;
  }
  const entryPoint = wrapped.entryPoint;
  const prefix = defenderPrefixOf(entryPoint, interpreter);
  if (!prefix) {
    const expected = [...(interpreter ? [interpreter] : []), ...DEFENDER_ENTRYPOINT_PREFIXES[0]];
    return `its entryPoint ${JSON.stringify(entryPoint ?? null)} does not start the Defender (expected it to begin with ${JSON.stringify(expected)})`;
  }
  const rest = (entryPoint as string[]).slice(prefix.length);
  if (Array.isArray(original.entryPoint)) {
    if (stableJson(rest) !== stableJson(original.entryPoint)) {
      return `the Defender wraps ${JSON.stringify(rest)} instead of its entryPoint ${JSON.stringify(original.entryPoint)}`;
    }
  } else if (rest.length === 0 && !Array.isArray(wrapped.command)) {
    return "the Console found no entrypoint or command to start under the Defender (check the image is in its registry scan results, or give `entryPoint`)";
  }
  return undefined;
}

/** Task-level fields the Console changed or added (we register the ones we sent, so a change would be lost). */
function taskLevelProblems(
  answer: Record<string, unknown>,
  sent: Record<string, unknown>,
): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(answer)) {
    if (key === "containerDefinitions" || READ_ONLY_TASK_FIELDS.includes(key)) continue;
    const norm = (v: unknown) => stableJson(typeof v === "number" ? String(v) : v);
    if (!(key in sent))
      problems.push(
        `it adds the task-level field \`${key}\`, which this component does not register`,
      );
    else if (norm(value) !== norm(sent[key]))
      problems.push(`it changes the task-level field \`${key}\``);
  }
  return problems;
}

/** The value of environment variable `name` of a container, if any. */
export function variable(container: ContainerDefinition, name: string): string | undefined {
  const env = Array.isArray(container.environment) ? container.environment : [];
  const entry = env.find((e) => isPlainObject(e) && e.name === name) as
    { value?: unknown } | undefined;
  return entry === undefined ? undefined : String(entry.value ?? "");
}

/** A container in normal form (see the file comment), without the environment variables in `drop`. */
export function normalizeContainer(
  container: ContainerDefinition,
  drop: string[] = [],
): ContainerDefinition {
  const out = { ...container };
  for (const field of ["environment", "secrets"]) {
    if (!Array.isArray(out[field])) continue;
    const list = (out[field] as Record<string, unknown>[]).filter(
      (e) => !(field === "environment" && drop.includes(String(e.name))),
    );
    if (list.length === 0) delete out[field];
    else out[field] = byName(list);
  }
  return sortKeys(out) as ContainerDefinition;
}

function byName(list: Record<string, unknown>[]): Record<string, unknown>[] {
  return [...list].sort((a, b) =>
    String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0,
  );
}

/** Put INSTALL_BUNDLE back into `containers` as an ECS secret read from `secretArn` (valueFrom). */
export function withInstallBundleSecret(
  containers: ContainerDefinition[],
  names: string[],
  secretArn: string,
): ContainerDefinition[] {
  return containers.map((c) =>
    names.includes(String(c.name))
      ? normalizeContainer({
          ...c,
          secrets: [
            ...((c.secrets as unknown[]) ?? []),
            { name: INSTALL_BUNDLE, valueFrom: secretArn },
          ],
        })
      : c,
  );
}

/** Put INSTALL_BUNDLE back into `containers` as a plain environment variable (the opt-in, secret-wrapped form). */
export function withInstallBundleEnvironment(
  containers: ContainerDefinition[],
  names: string[],
  installBundle: string,
): ContainerDefinition[] {
  return containers.map((c) =>
    names.includes(String(c.name))
      ? normalizeContainer({
          ...c,
          environment: [
            ...((c.environment as unknown[]) ?? []),
            { name: INSTALL_BUNDLE, value: installBundle },
          ],
        })
      : c,
  );
}

/** `containerDefinitions` text for aws.ecs.TaskDefinition: sorted keys, so equal definitions are equal strings. */
export function serializeContainers(containers: ContainerDefinition[]): string {
  return JSON.stringify(containers.map(sortKeys));
}

/** `34.04.145` from an image tagged `defender_34_04_145`, else undefined. */
export function defenderVersionOf(image: string): string | undefined {
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  const tag = colon < 0 ? "" : image.slice(colon + 1).split("@")[0];
  const m = /(\d{2})_(\d{2})_(\d{3})/.exec(tag);
  return m ? `${m[1]}.${m[2]}.${m[3]}` : undefined;
}
