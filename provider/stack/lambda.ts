// protectStack for aws.lambda.Function: the same protection as ProtectedLambda (its preflight, its environment
// merge, its layer or embedded code), applied to the function's properties as the engine hands them over.
import { Checks } from "../core/check";
import { describeProblem } from "../core/problems";
import * as pulumi from "@pulumi/pulumi";
import { buildEmbeddedCode, isLocalArchive, nodeHandlerModuleType } from "../lambda/lambdaCode";
import { defenderEnvironment, ResolvedLambdaInput } from "../lambda/lambdaInputs";
import {
  DEFENDER_ENV,
  deriveFunctionName,
  LambdaProtectionMode,
  preflightLambda,
} from "../lambda/lambdaPreflight";
import { runtimeInfo } from "../lambda/runtimes";
import { StackContext } from "./context";
import { isKnown, knownString, reveal } from "./props";

export const LAMBDA_FUNCTION = "aws:lambda/function:Function";
const LAYER_HANDLER = "twistlock.handler";

/** True when the function already runs the Defender: our handler, or TW_POLICY set (by a component or by hand). */
export function lambdaAlreadyProtected(props: Record<string, unknown>): boolean {
  if (knownString(props.handler) === LAYER_HANDLER) return true;
  const env = reveal(props.environment).value as
    { variables?: Record<string, unknown> } | undefined;
  return Object.keys(env?.variables ?? {}).some((k) =>
    (DEFENDER_ENV as readonly string[]).includes(k),
  );
}

/** The protected properties and options of one function, or undefined to leave it as it is. */
export async function protectLambda(
  ctx: StackContext,
  args: pulumi.ResourceTransformArgs,
): Promise<pulumi.ResourceTransformResult | undefined> {
  const { props, name } = args;
  const lambda = ctx.options.lambda!;
  const mode = lambda.embedded?.includes(name)
    ? LambdaProtectionMode.Embedded
    : (lambda.mode ?? LambdaProtectionMode.Layer);
  const skip = (...reasons: string[]) => ctx.cannotProtect(LAMBDA_FUNCTION, name, reasons);
  if (knownString(props.packageType) === "Image" || props.imageUri !== undefined) {
    return skip(
      "a container-image function: the Serverless Defender comes as a layer or a zip bundle only.",
    );
  }
  const runtime = knownString(props.runtime);
  const handler = knownString(props.handler);
  if (!runtime || !handler) {
    return skip(
      "its runtime and handler must be known when the program runs (they are not Outputs of other resources).",
    );
  }
  // TW_POLICY is made for the function's name, so the name must be known before the function exists: a function
  // without one gets ProtectedLambda's derived name (a change of name, so an existing auto-named function is replaced).
  const fnName = props.name === undefined ? deriveFunctionName(name) : knownString(props.name);
  if (!fnName)
    return skip("its `name` must be known when the program runs: TW_POLICY is made for it.");
  const env = reveal(
    (reveal(props.environment).value as { variables?: unknown } | undefined)?.variables,
  );
  const variables = (env.value ?? {}) as Record<string, unknown>;
  const envKnown = isKnown(variables);
  const layers = reveal(props.layers).value as unknown[] | undefined;
  const input: ResolvedLambdaInput = {
    mode,
    runtime,
    handler,
    architectures: isKnown(props.architectures)
      ? (reveal(props.architectures).value as string[] | undefined)
      : undefined,
    userLayerCount: layers?.length ?? 0,
    environment: envKnown ? (variables as Record<string, string>) : {},
    codeAlreadyWrapped: false,
    layerGiven: false,
    hasLocalCode: props.code === undefined ? false : isLocalArchive(props.code),
    name: fnName,
  };
  const problems = preflightLambda(input);
  if (problems.length) return skip(...problems.map(describeProblem));
  const info = runtimeInfo(runtime);

  const provider = args.opts.provider as pulumi.ProviderResource | undefined;
  const providerKey = provider ? await valueOf(provider.urn) : "default";
  const region = knownString(props.region) ?? (await valueOf(ctx.regionOf(provider, providerKey)));

  const twPolicy = pulumi.secret(
    ctx.withConsole(async (c) =>
      c.encodeServerlessPolicy({
        consoleAddr: await c.consoleAddress(),
        function: fnName,
        provider: "aws",
        region,
      }),
    ),
  );
  const out: Record<string, unknown> = { ...props, name: fnName };
  const dependsOn: pulumi.Resource[] = [];
  if (mode === LambdaProtectionMode.Layer) {
    const moduleType =
      info.family === "nodejs" && isLocalArchive(props.code)
        ? ((await nodeHandlerModuleType(props.code, handler)) ?? "commonjs")
        : info.family === "nodejs"
          ? "commonjs"
          : undefined;
    const layer = ctx.layerFor(info.family!, moduleType, region, provider, providerKey);
    out.handler = LAYER_HANDLER;
    out.layers = [...(layers ?? []), layer.arn];
    dependsOn.push(layer);
  } else {
    const built = pulumi.unsecret(
      ctx.withConsole(async (c) => {
        const bundle = await c.serverlessBundle({ provider: "aws", runtime: info.bundleRuntime! });
        return buildEmbeddedCode({
          code: props.code as pulumi.asset.Archive,
          runtime,
          handler,
          bundlePath: bundle.path,
          codeAlreadyWrapped: false,
        });
      }),
    );
    out.code = built.apply((b) => new pulumi.asset.FileArchive(b.path));
    out.sourceCodeHash = built.apply((b) => b.sourceCodeHash);
    out.handler = built.apply((b) => b.handler);
  }
  // With every value known, the environment is ProtectedLambda's (sorted, checked against 4 KB with the real
  // TW_POLICY); with values unknown in preview, the same keys, the unknown values passed through.
  const checks = new Checks("protectStack", `${LAMBDA_FUNCTION} "${name}"`, undefined);
  const merged = envKnown
    ? twPolicy.apply((policy) => {
        const m = defenderEnvironment(input, policy);
        if (m.problem) checks.fail([m.problem]);
        return m.variables;
      })
    : {
        ...variables,
        ...(mode === LambdaProtectionMode.Layer ? { ORIGINAL_HANDLER: handler } : {}),
        TW_POLICY: twPolicy,
      };
  // Secret as in ProtectedLambda when the values are known; in preview with unknown values, TW_POLICY is secret
  // on its own and the user's variables keep their secretness as a whole.
  out.environment = {
    variables: pulumi.Output.isInstance(merged)
      ? pulumi.secret(merged)
      : env.secret
        ? pulumi.secret(pulumi.output(merged))
        : merged,
  };
  return {
    props: out,
    opts: { ...args.opts, dependsOn: [...toArray(args.opts.dependsOn), ...dependsOn] },
  };
}

/** The value of an Output, awaited (an Output's value is known here: a region from an invoke). */
function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}

function toArray(
  v: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined,
) {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]) as pulumi.Resource[];
}
