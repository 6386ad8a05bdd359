// fargate-tasks-protected: every Fargate task definition runs its containers under the Defender: the
// TwistlockDefender sidecar, each container's entrypoint wrapped, the sidecar's volume and start order wired, and
// INSTALL_BUNDLE taken from `secrets` (Secrets Manager), not plain `environment`. Containers whose image was built
// with the App-Embedded Defender (EmbeddedDefenderImage) carry the Defender themselves and need no sidecar.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  COMPONENT,
  EXCLUDE_HINT,
  TYPE,
  exclusionReason,
  glob,
  message,
  takeExclusions,
  under,
} from "./common";
import { arr, isUnknown, obj, parseJson, raw, str } from "./wire";

// The Console's task definition rewrite (copied from provider/fargate/taskDefinitionCheck.ts and the Console's
// documented output): the sidecar's name, and the entrypoint prefixes it puts in front of each container's own.
export const SIDECAR = "TwistlockDefender";
export const WRAPPER_PREFIXES = [
  "/var/lib/twistlock/fargate/defender",
  "/var/lib/twistlock/fargate/fargate_defender.sh",
  "/twistlock/fargate_defender.sh",
];

export interface FargateConfig {
  /** Accept INSTALL_BUNDLE in the sidecar's plain `environment` (the Console's own placement). */
  allowInstallBundleInEnvironment: boolean;
  /** Images (`*` wildcards) that already embed the App-Embedded Defender, built outside the stack. */
  embeddedImages: string[];
}

const DEFAULTS: FargateConfig = { allowInstallBundleInEnvironment: false, embeddedImages: [] };

const FIX =
  "declare it with ProtectedFargateTask (prisma-defender) in place of aws.ecs.TaskDefinition, or protect every task with protectStack()";

type Container = Record<string, unknown>;

const names = (list: unknown, key: string) =>
  (arr(list) ?? []).map((x) => str(obj(x)?.[key])).filter((x): x is string => !!x);

/** Images in the stack built with the App-Embedded Defender (EmbeddedDefenderImage's outputs). */
function embeddedImages(resources: PolicyResource[]): Set<string> {
  const out = new Set<string>();
  for (const r of resources) {
    if (r.type !== COMPONENT.image) continue;
    const p = raw(r.props);
    for (const k of ["repoDigest", "imageName"]) if (str(p[k])) out.add(str(p[k])!);
  }
  return out;
}

export function checkTask(
  task: PolicyResource,
  stackImages: Set<string>,
  config: FargateConfig,
): string | undefined {
  const p = raw(task.props);
  const defs = p.containerDefinitions;
  if (isUnknown(defs)) {
    // A preview before its inputs are known: trust only our components, which fail the deployment themselves.
    const fromEmbedded = (task.propertyDependencies.containerDefinitions ?? []).some((d) =>
      under(d, COMPONENT.image),
    );
    // protectStack's task definitions depend on the component holding their INSTALL_BUNDLE secret (the transform's
    // new containerDefinitions cannot be traced to the property by the engine).
    const fromStack = task.dependencies.some((d) => d.type === COMPONENT.stackTask);
    if (under(task, COMPONENT.fargateTask) || fromEmbedded || fromStack) return undefined;
    return message(
      task,
      "cannot be verified: its containerDefinitions are not known before deploy",
      FIX,
    );
  }
  const parsed = arr(parseJson(defs));
  if (!parsed) {
    // Never pass what cannot be read.
    return message(task, "cannot be verified: its containerDefinitions are not a JSON array", FIX);
  }
  const containers = parsed.map((c) => obj(c) ?? {}) as Container[];
  const embedded = (c: Container) => {
    const image = str(c.image) ?? "";
    return stackImages.has(image) || config.embeddedImages.some((i) => glob(i).test(image));
  };
  const sidecar = containers.find((c) => c.name === SIDECAR);
  const app = containers.filter((c) => c !== sidecar && !embedded(c));
  const missing: string[] = [];
  if (!sidecar && app.length) missing.push(`no ${SIDECAR} sidecar container`);
  for (const c of app) {
    const name = str(c.name) ?? "(unnamed)";
    const entry = arr(c.entryPoint)?.map((x) => str(x)) ?? [];
    const wrapped =
      WRAPPER_PREFIXES.includes(entry[0] ?? "") &&
      entry[1] === "fargate" &&
      entry[2] === "entrypoint" &&
      entry.length > 3;
    if (!wrapped) missing.push(`container ${name}: entryPoint is not wrapped by the Defender`);
    if (!names(c.volumesFrom, "sourceContainer").includes(SIDECAR))
      missing.push(`container ${name}: volumesFrom does not mount ${SIDECAR}`);
    if (!names(c.dependsOn, "containerName").includes(SIDECAR))
      missing.push(`container ${name}: dependsOn does not start after ${SIDECAR}`);
  }
  for (const c of [...(sidecar ? [sidecar] : []), ...containers.filter(embedded)]) {
    const name = str(c.name) ?? "(unnamed)";
    const inEnv = names(c.environment, "name").includes("INSTALL_BUNDLE");
    const inSecrets = names(c.secrets, "name").includes("INSTALL_BUNDLE");
    if (inEnv && !config.allowInstallBundleInEnvironment)
      missing.push(`container ${name}: INSTALL_BUNDLE is in plain environment, not secrets`);
    else if (c === sidecar && !inEnv && !inSecrets)
      missing.push(`container ${name}: INSTALL_BUNDLE is not set`);
  }
  if (!missing.length) return undefined;
  const onlyBundle = missing.every((m) => m.includes("INSTALL_BUNDLE is in plain environment"));
  const fix = onlyBundle
    ? "take INSTALL_BUNDLE from Secrets Manager through `secrets` (ProtectedFargateTask's default), or set allowInstallBundleInEnvironment"
    : `${FIX}, ${EXCLUDE_HINT()}`;
  return message(task, `is not protected by the Defender: ${missing.join("; ")}`, fix);
}

export function fargatePolicy(): StackValidationPolicy {
  return {
    name: "fargate-tasks-protected",
    description:
      "Every ECS Fargate task definition runs its containers under the Prisma Cloud Defender (sidecar or App-Embedded image).",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        allowInstallBundleInEnvironment: {
          type: "boolean",
          default: false,
          description:
            "Accept INSTALL_BUNDLE in the sidecar's plain environment (it is then readable by anyone who can describe the task definition).",
        },
        embeddedImages: {
          type: "array",
          items: { type: "string" },
          default: [],
          description:
            "Images (`*` wildcards) built outside the stack with the App-Embedded Defender; EmbeddedDefenderImage's images are always recognized.",
        },
      },
    },
    validateStack: (args, report) => {
      const excluded = takeExclusions("fargate-tasks-protected");
      const config = { ...DEFAULTS, ...args.getConfig<Partial<FargateConfig>>() };
      const images = embeddedImages(args.resources);
      for (const r of args.resources) {
        if (r.type !== TYPE.taskDefinition || exclusionReason(r, excluded)) continue;
        const compat = arr(raw(r.props).requiresCompatibilities)?.map((x) => str(x));
        if (!compat?.includes("FARGATE")) continue;
        const problem = checkTask(r, images, config);
        if (problem) report(problem, r.urn);
      }
    },
  };
}
