// Layer mode of ProtectedLambda: which Defender layer the function gets, checked against the function's runtime
// family and, for Node.js, against the module system of its handler.
import * as pulumi from "@pulumi/pulumi";
import { Checks } from "../core/check";
import { problem } from "../core/problems";
import { ConsoleArgs } from "../core/types";
import { ResolvedLambdaInput } from "./lambdaInputs";
import { isLocalArchive, nodeHandlerModuleType } from "./lambdaCode";
import { NodeJSModuleType, runtimeInfo } from "./runtimes";
import { DefenderLayer } from "./defenderLayer";
import { DefenderLayerReference } from "./protectedLambdaArgs";

export interface LayerChoice {
  arn: pulumi.Output<string>;
  defenderVersion?: pulumi.Output<string>;
}

export interface LayerChoiceArgs {
  name: string;
  parent: pulumi.Resource;
  console?: ConsoleArgs;
  checked: pulumi.Output<ResolvedLambdaInput>;
  code?: pulumi.Input<pulumi.asset.Archive>;
  defenderLayer?: DefenderLayerReference;
  defenderLayerArn?: pulumi.Input<string>;
  nodeJSModuleType?: pulumi.Input<NodeJSModuleType>;
  /** The component's checks: every failure here is the component's error. */
  checks: Checks;
}

/** The layer for a function: the given one (checked), the given ARN, or a DefenderLayer of its own. */
export function chooseDefenderLayer(a: LayerChoiceArgs): LayerChoice {
  if (a.defenderLayerArn !== undefined) return { arn: pulumi.output(a.defenderLayerArn) };
  // The layer's `twistlock.handler` loads the function's handler, so the layer must be made for the handler's
  // module system (ES modules are the first thing users of handler redirection report broken).
  const moduleTypeOf = async (c: ResolvedLambdaInput, code: unknown) =>
    runtimeInfo(c.runtime).family === "nodejs" && isLocalArchive(code)
      ? nodeHandlerModuleType(code, c.handler)
      : undefined;
  // The checked input with the handler's module system beside it. Code given as a plain archive (the usual case) is
  // read as it is: `pulumi.all` would turn the archive into an Output of a plain copy of its fields, with an Output
  // per field, for every function.
  const inspect = async (c: ResolvedLambdaInput, code: unknown) => ({
    c,
    handlerModules: await moduleTypeOf(c, code),
  });
  const inspected = pulumi.Output.isInstance(a.code)
    ? pulumi.all([a.checked, a.code]).apply(a.checks.guard(([c, code]) => inspect(c, code)))
    : a.checked.apply(a.checks.guard((c) => inspect(c, a.code)));
  let layer: DefenderLayerReference | undefined = a.defenderLayer;
  if (!layer) {
    const moduleType = pulumi
      .all([a.nodeJSModuleType, inspected])
      .apply(([given, { handlerModules: handler }]) => {
        if (given && handler && given !== handler) {
          throw a.checks.error([
            problem(
              "nodeJSModuleType",
              `is "${given}", but the handler's code is ${describe(handler)}.`,
            ),
          ]);
        }
        return given ?? handler;
      });
    layer = new DefenderLayer(
      `${a.name}-defender-layer`,
      {
        console: a.console,
        runtime: a.checked.apply((c) => runtimeInfo(c.runtime).family!),
        // Undefined (not Node.js, or nothing to read) leaves the layer's default.
        nodeJSModuleType: moduleType as pulumi.Output<NodeJSModuleType>,
      },
      { parent: a.parent },
    );
  }
  const arn = pulumi
    .all([inspected, layerFacts(layer)])
    .apply(([{ c, handlerModules }, [family, layerModules, layerArn]]) => {
      const needed = runtimeInfo(c.runtime).family;
      if (family !== undefined && family !== needed) {
        throw a.checks.error([
          problem(
            "defenderLayer",
            `is for ${family}, but runtime ${c.runtime} needs a ${needed} layer.`,
          ),
        ]);
      }
      if (layerModules && handlerModules && layerModules !== handlerModules) {
        throw a.checks.error([
          problem(
            "defenderLayer",
            `was made for ${layerModules} handlers, but ${c.handler} is ${describe(handlerModules)}: ` +
              `use a DefenderLayer with nodeJSModuleType "${handlerModules}".`,
          ),
        ]);
      }
      return layerArn;
    });
  const version = layer.defenderVersion;
  return {
    arn,
    defenderVersion:
      version === undefined
        ? undefined
        : pulumi.Output.isInstance(version)
          ? (version as pulumi.Output<string>)
          : pulumi.output(version),
  };
}

/**
 * What a function checks of its layer (family, module system, ARN) as one Output, made once per layer: a layer
 * shared by a thousand functions is combined once, not once per function.
 */
const facts = new WeakMap<
  DefenderLayerReference,
  pulumi.Output<[string | undefined, string | undefined, string]>
>();

function layerFacts(
  layer: DefenderLayerReference,
): pulumi.Output<[string | undefined, string | undefined, string]> {
  let f = facts.get(layer);
  if (!f) {
    f = pulumi.all([layer.runtime, layer.nodeJSModuleType, layer.arn]) as pulumi.Output<
      [string | undefined, string | undefined, string]
    >;
    facts.set(layer, f);
  }
  return f;
}

function describe(moduleType: NodeJSModuleType): string {
  return moduleType === "ecmascript" ? "an ES module" : "CommonJS";
}
