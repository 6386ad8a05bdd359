// The examples' workloads as they would be declared without prisma-defender (a plain aws.lambda.Function,
// aws.ecs.TaskDefinition or azure-native WebApp with the user's own settings): what the demo shows the policy pack
// rejecting. Pure: wire-form resources in, wire-form resources out.
import type { WireResource } from "./policyResources";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIDECAR = "TwistlockDefender";
const DEFENDER_VARIABLES = ["ORIGINAL_HANDLER", "TW_POLICY", "INSTALL_BUNDLE"];

const isSecret = (v: any) => !!v && typeof v === "object" && v[SIG] === SECRET_SIG;
/** Applies `f` under a secret wrapper, keeping the wrapper. */
const under = (v: any, f: (x: any) => any) =>
  isSecret(v) ? { [SIG]: SECRET_SIG, value: f(v.value) } : f(v);

/** `…::prisma-defender:index:ProtectedLambda$aws:lambda/function:Function::orders` → `…::aws:lambda/function:Function::orders`. */
function detach(r: WireResource): WireResource {
  const parts = r.urn.split("::");
  parts[2] = parts[2].split("$").pop()!;
  return { ...r, urn: parts.join("::"), parent: undefined };
}

function plainFunction(props: Record<string, any>, originalHandler?: string) {
  const out = { ...props };
  const vars = under(props.environment?.variables, (v) => ({ ...v }));
  const plainVars = isSecret(vars) ? vars.value : vars;
  out.handler = plainVars?.ORIGINAL_HANDLER ?? originalHandler ?? props.handler;
  for (const k of DEFENDER_VARIABLES) if (plainVars) delete plainVars[k];
  if (props.environment) out.environment = { ...props.environment, variables: vars };
  delete out.layers;
  return out;
}

function plainContainers(text: unknown): unknown {
  // In a preview the definitions may not be known yet (the engine's unknown marker): nothing to undo.
  if (typeof text !== "string" || !text.trimStart().startsWith("[")) return text;
  const containers = (JSON.parse(text) as any[]).filter((c) => c.name !== SIDECAR);
  for (const c of containers) {
    if (Array.isArray(c.entryPoint) && c.entryPoint[1] === "fargate")
      c.entryPoint = c.entryPoint.slice(3);
    c.volumesFrom = (c.volumesFrom ?? []).filter((v: any) => v.sourceContainer !== SIDECAR);
    c.dependsOn = (c.dependsOn ?? []).filter((d: any) => d.containerName !== SIDECAR);
    c.secrets = (c.secrets ?? []).filter((s: any) => s.name !== "INSTALL_BUNDLE");
    // An image rebuilt with the App-Embedded Defender: the user's own image instead.
    if (/@sha256:/.test(c.image ?? "")) c.image = c.image.replace(/@sha256:.*$/, "-unprotected");
  }
  return JSON.stringify(containers);
}

function plainSettings(siteConfig: any) {
  // In a preview the settings (or the whole siteConfig) may be the engine's unknown sentinel: left as they are.
  return under(siteConfig, (sc) =>
    !sc || typeof sc !== "object"
      ? sc
      : {
          ...sc,
          appSettings: under(sc.appSettings, (list) =>
            Array.isArray(list) ? list.filter((s: any) => s.name !== "TW_POLICY") : list,
          ),
        },
  );
}

/**
 * The same stack with every protected workload declared without prisma-defender. Components are left out (they
 * would not exist); the workloads keep their names.
 */
export function unprotected(resources: WireResource[]): WireResource[] {
  const originals = new Map(
    resources
      .filter((r) => r.type === "prisma-defender:index:ProtectedLambda")
      .map((r) => [r.urn, r.outputs.originalHandler as string | undefined]),
  );
  const out: WireResource[] = [];
  for (const r of resources) {
    if (r.type.startsWith("prisma-defender:")) continue;
    const change = (f: (p: Record<string, any>) => Record<string, any>) =>
      detach({ ...r, inputs: f(r.inputs), outputs: f(r.outputs) });
    if (r.type === "aws:lambda/function:Function") {
      out.push(change((p) => plainFunction(p, originals.get(r.parent ?? ""))));
    } else if (
      r.type === "aws:ecs/taskDefinition:TaskDefinition" &&
      typeof r.inputs.containerDefinitions === "string"
    ) {
      out.push(
        change((p) => ({ ...p, containerDefinitions: plainContainers(p.containerDefinitions) })),
      );
    } else if (r.type === "azure-native:web:WebApp") {
      out.push(change((p) => ({ ...p, siteConfig: plainSettings(p.siteConfig) })));
    } else {
      out.push(r.parent?.includes("prisma-defender:index:") ? detach(r) : r);
    }
  }
  return out;
}
