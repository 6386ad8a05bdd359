// The Console's Fargate transform (docs/console-api.md#fargate-transform): append the TwistlockDefender sidecar and
// put every original container under the Defender's control. Works on native ECS JSON (camelCase) and on
// CloudFormation properties (PascalCase) through one key-style switch.
import { ConsoleHttpError } from "./http";
import type { ImageConfig } from "./types";

export const SIDECAR_NAME = "TwistlockDefender";

export interface FargateContext {
  /** `consoleaddr`: the SAN host Defenders connect to. */
  consoleAddress: string;
  filesystemMonitoring: boolean;
  extractEntrypoint: boolean;
  defenderImage: string;
  defenderImagePullSecret?: string;
  installBundle: string;
  wsAddress: string;
  /** Path of the Defender inside app containers: version dependent. */
  entrypointBinary: string;
  /** The simulated registry `extractEntrypoint=true` reads (image → ENTRYPOINT and CMD). */
  images: Record<string, ImageConfig>;
}

type Obj = Record<string, unknown>;

/** A small simulated registry: what `extractEntrypoint=true` can look up (overridable per simulator). */
export const BUILT_IN_IMAGES: Record<string, ImageConfig> = {
  "nginx:latest": { entrypoint: ["/docker-entrypoint.sh"], cmd: ["nginx", "-g", "daemon off;"] },
  "httpd:latest": { cmd: ["httpd-foreground"] },
  "redis:latest": { entrypoint: ["docker-entrypoint.sh"], cmd: ["redis-server"] },
  "busybox:latest": { cmd: ["sh"] },
  "public.ecr.aws/aws-observability/aws-otel-collector:latest": {
    entrypoint: ["/awscollector"],
    cmd: ["--config=/etc/ecs/ecs-default-config.yaml"],
  },
};

/** Normalises `nginx`, `docker.io/library/nginx` and `nginx:latest` to one key. */
export function imageKey(image: string): string {
  let name = image.trim().replace(/^docker\.io\/(library\/)?/, "");
  const lastSlash = name.lastIndexOf("/");
  if (!name.includes("@") && name.indexOf(":", lastSlash + 1) < 0) name += ":latest";
  return name;
}

function lookupImage(images: Record<string, ImageConfig>, image: string): ImageConfig | undefined {
  const key = imageKey(image);
  for (const [name, config] of Object.entries(images)) if (imageKey(name) === key) return config;
  return undefined;
}

function asObject(value: unknown): Obj | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Obj)
    : undefined;
}

/** Protects one task definition (native JSON when `pascal` is false, CloudFormation properties when true). */
export function protectTaskDefinition(
  input: Obj,
  ctx: FargateContext,
  pascal: boolean,
  fallbackFamily?: string,
): Obj {
  const k = (name: string) => (pascal ? name[0].toUpperCase() + name.slice(1) : name);
  const env = (name: string, value: string) => ({ [k("name")]: name, [k("value")]: value });
  const containers = input[k("containerDefinitions")];
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new ConsoleHttpError(
      400,
      `failed to parse task definition: ${k("containerDefinitions")} is missing or empty`,
    );
  }
  const family = input[k("family")] ?? fallbackFamily;
  if (typeof family !== "string" || family === "") {
    throw new ConsoleHttpError(400, `failed to parse task definition: ${k("family")} is missing`);
  }
  const fsMon = String(ctx.filesystemMonitoring);
  const protectedContainers = containers.map((raw, index) => {
    const container = asObject(raw);
    if (!container) {
      throw new ConsoleHttpError(
        400,
        `failed to parse task definition: container ${index} is not an object`,
      );
    }
    const name = container[k("name")];
    const image = container[k("image")];
    if (typeof name !== "string" || typeof image !== "string") {
      throw new ConsoleHttpError(
        400,
        `failed to parse task definition: container ${index} needs ${k("name")} and ${k("image")}`,
      );
    }
    if (name === SIDECAR_NAME) {
      throw new ConsoleHttpError(
        400,
        `task definition ${family} is already protected (has a ${SIDECAR_NAME} container)`,
      );
    }
    const out: Obj = { ...container };
    // An empty list counts as "present" (as on a real Console): the Defender then runs nothing of the image's.
    let entryPoint = container[k("entryPoint")];
    if (!Array.isArray(entryPoint)) {
      if (!ctx.extractEntrypoint) {
        throw new ConsoleHttpError(
          400,
          `container ${name} has no entrypoint: add entryPoint and command from the image's Dockerfile ` +
            `to the task definition, or set extractEntrypoint=true`,
        );
      }
      const config = lookupImage(ctx.images, image);
      if (!config) {
        throw new ConsoleHttpError(
          400,
          `failed to extract entrypoint of image ${image} for container ${name}: ` +
            `the image was not found in registry scan results`,
        );
      }
      entryPoint = config.entrypoint ?? [];
      if (!Array.isArray(container[k("command")]) && config.cmd)
        out[k("command")] = [...config.cmd];
    }
    out[k("entryPoint")] = [
      ctx.entrypointBinary,
      "fargate",
      "entrypoint",
      ...(entryPoint as unknown[]),
    ];
    const added: [string, string][] = [
      ["TW_IMAGE_NAME", image],
      ["TW_CONTAINER_NAME", name],
      ["DEFENDER_TYPE", "fargate"],
      ["FARGATE_TASK", family],
      ["FILESYSTEM_MONITORING", fsMon],
    ];
    const environment = Array.isArray(container[k("environment")])
      ? [...(container[k("environment")] as Obj[])]
      : [];
    for (const [key, value] of added) {
      const at = environment.findIndex((e) => asObject(e)?.[k("name")] === key);
      if (at >= 0) environment[at] = env(key, value);
      else environment.push(env(key, value));
    }
    out[k("environment")] = environment;
    const volumesFrom = Array.isArray(container[k("volumesFrom")])
      ? (container[k("volumesFrom")] as unknown[])
      : [];
    out[k("volumesFrom")] = [
      ...volumesFrom,
      { [k("sourceContainer")]: SIDECAR_NAME, [k("readOnly")]: false },
    ];
    const dependsOn = Array.isArray(container[k("dependsOn")])
      ? (container[k("dependsOn")] as unknown[])
      : [];
    out[k("dependsOn")] = [
      ...dependsOn,
      { [k("containerName")]: SIDECAR_NAME, [k("condition")]: "START" },
    ];
    const linux = { ...(asObject(container[k("linuxParameters")]) ?? {}) };
    const capabilities = { ...(asObject(linux[k("capabilities")]) ?? {}) };
    const add = Array.isArray(capabilities[k("add")]) ? (capabilities[k("add")] as unknown[]) : [];
    capabilities[k("add")] = add.includes("SYS_PTRACE") ? add : [...add, "SYS_PTRACE"];
    linux[k("capabilities")] = capabilities;
    out[k("linuxParameters")] = linux;
    return out;
  });
  const sidecar: Obj = {
    [k("name")]: SIDECAR_NAME,
    [k("image")]: ctx.defenderImage,
    [k("entryPoint")]: ["/usr/local/bin/defender", "fargate", "sidecar"],
    [k("environment")]: [
      env("INSTALL_BUNDLE", ctx.installBundle),
      env("DEFENDER_TYPE", "fargate"),
      env("FARGATE_TASK", family),
      env("WS_ADDRESS", ctx.wsAddress),
      env("FILESYSTEM_MONITORING", fsMon),
      env("FIPS_ENABLED", "false"),
    ],
    [k("essential")]: true,
    [k("healthCheck")]: {
      [k("command")]: ["/usr/local/bin/defender", "fargate", "healthcheck"],
      [k("interval")]: 5,
      [k("retries")]: 3,
      [k("startPeriod")]: 1,
      [k("timeout")]: 5,
    },
    // Real Consoles return an empty logConfiguration on the sidecar, which ECS refuses: clients must drop it.
    [k("logConfiguration")]: {},
  };
  if (ctx.defenderImagePullSecret) {
    sidecar[k("repositoryCredentials")] = {
      [k("credentialsParameter")]: ctx.defenderImagePullSecret,
    };
  }
  return { ...input, [k("containerDefinitions")]: [...protectedContainers, sidecar] };
}
