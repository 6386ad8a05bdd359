// lambda-functions-protected: every zip Lambda function runs the Serverless Defender, through the layer (handler
// `twistlock.handler`, ORIGINAL_HANDLER, TW_POLICY, the Defender layer last) or embedded (prisma-defender's
// generated wrapper as handler, TW_POLICY). Functions the Defender cannot cover are reported, never passed.
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
import { UNKNOWN, arr, isUnknown, obj, raw, str } from "./wire";

/** Handler of the Defender layer (docs/console-api.md#layer-handler in prisma-defender). */
export const LAYER_HANDLER = "twistlock.handler";
/** Module of prisma-defender's embedded-mode wrapper (copied from provider/lambda/wrappers.ts, WRAPPER_MODULE). */
export const WRAPPER_MODULE = "_prisma_defender_wrapper";

// Runtime families the Serverless Defender covers (copied from provider/lambda/runtimes.ts, ROWS).
const FAMILIES: [RegExp, string][] = [
  [/^nodejs\d/, "nodejs"],
  [/^python3\./, "python"],
  [/^ruby\d/, "ruby"],
  [/^java\d/, "java"],
  [/^dotnet\d/, "dotnet"],
];
export const runtimeFamily = (runtime: string) => FAMILIES.find(([re]) => re.test(runtime))?.[1];

export interface LambdaConfig {
  /** Layer names (`*` wildcards) published outside the stack that hold the Serverless Defender. */
  defenderLayerNames: string[];
  /** Handlers (`*` wildcards) of code wrapped by hand as the Console's docs describe (Java, .NET). */
  wrappedHandlers: string[];
}

export const LAMBDA_DEFAULTS: LambdaConfig = {
  defenderLayerNames: ["twistlock", "twistlock-*"],
  wrappedHandlers: ["*::protectedHandler", "*::ProtectedHandler"],
};

/** `layers` as a whole is unknown in a preview: stands for one unknown (last) layer. */
const UNKNOWN_LAYERS = [UNKNOWN];

const FIX =
  "declare it with ProtectedLambda (prisma-defender), or protect every function with protectStack()";

/** `arn:aws:lambda:<region>:<account>:layer:<name>:<version>` → name. */
const layerName = (arn: string) => /:layer:([^:]+)/.exec(arn)?.[1];

/** Layer ARNs (with and without version) of the Defender layers published in the stack. */
function stackDefenderLayers(resources: PolicyResource[]): Set<string> {
  const arns = new Set<string>();
  for (const r of resources) {
    if (r.type !== TYPE.layerVersion || !under(r, COMPONENT.layer)) continue;
    const p = raw(r.props);
    for (const k of ["arn", "layerArn"]) if (str(p[k])) arns.add(str(p[k])!);
  }
  return arns;
}

export function checkFunction(
  fn: PolicyResource,
  stackLayers: Set<string>,
  config: LambdaConfig,
): string | undefined {
  const p = raw(fn.props);
  // In a preview the variables are unknown as a whole when one of them is. ProtectedLambda sets TW_POLICY and
  // ORIGINAL_HANDLER itself (and fails the deployment without them); any other function cannot be verified yet.
  const envUnknown = isUnknown(p.environment) || isUnknown(obj(p.environment)?.variables);
  const env: Record<string, unknown> | undefined = envUnknown
    ? undefined
    : (obj(obj(p.environment)?.variables) ?? {});
  const envProblem =
    envUnknown && !under(fn, COMPONENT.lambda)
      ? "its environment variables are not known before deploy"
      : undefined;
  const runtime = str(p.runtime);
  const handler = str(p.handler);
  if (str(p.packageType) === "Image") {
    return message(
      fn,
      "cannot be protected: it is a container-image function, and the Serverless Defender protects zip functions only",
      `deploy it as a zip function with ProtectedLambda (prisma-defender), ${EXCLUDE_HINT()}`,
    );
  }
  if (runtime && !runtimeFamily(runtime)) {
    return message(
      fn,
      `cannot be protected: the Serverless Defender has no support for runtime ${runtime} (it covers Node.js, Python, Ruby, Java and .NET)`,
      `move it to a supported runtime and declare it with ProtectedLambda (prisma-defender), ${EXCLUDE_HINT()}`,
    );
  }
  const twPolicy = env?.TW_POLICY;
  const missingPolicy = !env
    ? envProblem
    : twPolicy === undefined
      ? "TW_POLICY is not set"
      : !isUnknown(twPolicy) && !str(twPolicy)
        ? "TW_POLICY is empty"
        : undefined;
  if (handler?.startsWith(`${WRAPPER_MODULE}.`)) {
    return missingPolicy
      ? message(fn, `is not protected by the Serverless Defender (embedded): ${missingPolicy}`, FIX)
      : undefined;
  }
  const family = runtime ? runtimeFamily(runtime) : undefined;
  const layers = isUnknown(p.layers) ? UNKNOWN_LAYERS : arr(p.layers);
  const handWrapped =
    handler &&
    (family === "java" || family === "dotnet") &&
    config.wrappedHandlers.some((h) => glob(h).test(handler));
  if (handWrapped && !layers?.length && env?.ORIGINAL_HANDLER === undefined) {
    return missingPolicy
      ? message(fn, `is not protected by the Serverless Defender (embedded): ${missingPolicy}`, FIX)
      : undefined;
  }
  // Layer mode: what the Console's documentation lists, checked piece by piece.
  const missing: string[] = [];
  if (handler !== undefined && handler !== LAYER_HANDLER && !isUnknown(p.handler)) {
    missing.push(`handler is "${handler}", not "${LAYER_HANDLER}"`);
  }
  if (env && env.ORIGINAL_HANDLER === undefined) missing.push("ORIGINAL_HANDLER is not set");
  else if (env && !isUnknown(env.ORIGINAL_HANDLER) && !str(env.ORIGINAL_HANDLER))
    missing.push("ORIGINAL_HANDLER is empty");
  if (missingPolicy) missing.push(missingPolicy);
  const layerProblem = checkLayers(fn, layers, stackLayers, config);
  if (layerProblem) missing.push(layerProblem);
  return missing.length
    ? message(fn, `is not protected by the Serverless Defender: ${missing.join("; ")}`, FIX)
    : undefined;
}

function checkLayers(
  fn: PolicyResource,
  layers: unknown[] | undefined,
  stackLayers: Set<string>,
  config: LambdaConfig,
): string | undefined {
  const isDefender = (arn: string) =>
    stackLayers.has(arn) ||
    [...stackLayers].some((l) => arn.startsWith(`${l}:`)) ||
    config.defenderLayerNames.some((n) => glob(n).test(layerName(arn) ?? ""));
  // In a preview, layer ARNs published in the same update are unknown: the engine still says where they come from,
  // through the property's dependencies (a ProtectedLambda) or, for a function protectStack's transform rewrote
  // (whose new layer the engine cannot trace to a property), through the function's dependsOn on the DefenderLayer.
  const isDefenderLayer = (d: PolicyResource) =>
    d.type === COMPONENT.layer || (d.type === TYPE.layerVersion && under(d, COMPONENT.layer));
  const fromDefenderLayer =
    (fn.propertyDependencies.layers ?? []).some(isDefenderLayer) ||
    fn.dependencies.some(isDefenderLayer);
  if (!layers?.length) return "no Defender layer";
  const last = layers[layers.length - 1];
  if (isUnknown(last))
    return fromDefenderLayer ? undefined : "the layers are not known before deploy";
  const lastArn = str(last) ?? "";
  if (isDefender(lastArn)) return undefined;
  const anywhere = layers.some((l) => str(l) && isDefender(str(l)!));
  return anywhere
    ? `the Defender layer is not the last layer (the last is ${lastArn})`
    : "no Defender layer";
}

export function lambdaPolicy(): StackValidationPolicy {
  return {
    name: "lambda-functions-protected",
    description:
      "Every AWS Lambda function runs the Prisma Cloud Serverless Defender (layer or embedded mode).",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        defenderLayerNames: {
          type: "array",
          items: { type: "string" },
          description:
            "Names (`*` wildcards) of Defender layers published outside the stack. DefenderLayer's layers are always recognized.",
          default: LAMBDA_DEFAULTS.defenderLayerNames,
        },
        wrappedHandlers: {
          type: "array",
          items: { type: "string" },
          description:
            "Handlers (`*` wildcards) of Java or .NET code wrapped by hand with the Defender, accepted with TW_POLICY.",
          default: LAMBDA_DEFAULTS.wrappedHandlers,
        },
      },
    },
    validateStack: (args, report) => {
      const excluded = takeExclusions("lambda-functions-protected");
      const config = { ...LAMBDA_DEFAULTS, ...args.getConfig<Partial<LambdaConfig>>() };
      const stackLayers = stackDefenderLayers(args.resources);
      for (const r of args.resources) {
        if (r.type !== TYPE.lambda || exclusionReason(r, excluded)) continue;
        const problem = checkFunction(r, stackLayers, config);
        if (problem) report(problem, r.urn);
      }
    },
  };
}
