// DefenderLayer: the Console's Serverless Defender layer for one runtime family, published once and shared by
// every ProtectedLambda of that family.
import { Checks } from "../core/check";
import { problem, ProblemsError } from "../core/problems";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { consoleFor } from "../core/console/client";
import { resolveConsoleSettings } from "../core/settings";
import { ConsoleArgs } from "../core/types";
import { listZip, normalizeZip, workDir } from "../core/archive";
import { checkDefenderArchive } from "./lambdaCode";
import { derivePhysicalName } from "./lambdaPreflight";
import {
  DefenderRuntimeFamily,
  layerCompatibleRuntimes,
  layerRuntimeForFamily,
  NodeJSModuleType,
} from "./runtimes";

export interface DefenderLayerArgs {
  /** How to reach the Compute Console. Fields not set here come from stack config or the environment. */
  console?: ConsoleArgs;
  /** Runtime family the layer is for: `nodejs`, `python` or `ruby` (the Console documents no Java/.NET layer handler). */
  runtime: pulumi.Input<DefenderRuntimeFamily>;
  /**
   * Node.js only: the module system of the handlers the layer loads. `ecmascript` for ES module handlers (`.mjs`,
   * or `.js` under `"type": "module"`). Default: `commonjs`.
   */
  nodeJSModuleType?: pulumi.Input<NodeJSModuleType>;
  /** Layer name. Default: derived from the resource name (letters, digits, `-`, `_`; at most 140 characters). */
  name?: pulumi.Input<string>;
  /** Layer description. Default: names the family and the Console's Defender version. */
  description?: pulumi.Input<string>;
  /** Must be `["x86_64"]` or unset: the Serverless Defender does not support arm64. */
  compatibleArchitectures?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * Publishes the Compute Console's Serverless Defender layer for one runtime family as a Lambda layer version. The
 * layer's content hash decides replacement, so a Console upgrade shows in the preview as a new layer version.
 */
export class DefenderLayer extends pulumi.ComponentResource {
  /** ARN of the published layer version, to put in a function's `layers`. */
  public readonly arn: pulumi.Output<string>;
  /** The published layer version resource. */
  public readonly layerVersion: aws.lambda.LayerVersion;
  /** The runtime family the layer is for. */
  public readonly runtime: pulumi.Output<DefenderRuntimeFamily>;
  /** Node.js: the module system of the handlers the layer loads, as in the args; unset for other families. */
  public readonly nodeJSModuleType: pulumi.Output<string | undefined>;
  /** Version of the Console the Defender came from, such as `34.04.145`. */
  public readonly defenderVersion: pulumi.Output<string>;
  /** Base64 SHA-256 of the layer zip (normalised: fixed timestamps and order). Changes only with its contents. */
  public readonly sourceCodeHash: pulumi.Output<string>;

  constructor(name: string, args: DefenderLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("prisma-defender:index:DefenderLayer", name, {}, opts);
    const checks = new Checks("DefenderLayer", name, this);
    if (!args || args.runtime === undefined) {
      checks.fail([
        problem("runtime", "is required. Set it to the runtime family: nodejs, python or ruby."),
      ]);
    }
    // Checked now when plain, else once resolved: either way before the Console is asked.
    const request = checks.check(
      [args.runtime, args.nodeJSModuleType, args.compatibleArchitectures],
      ([runtime, moduleType, archs]) => layerRequest(runtime, moduleType, archs),
    );
    const settings = resolveConsoleSettings(args.console, name, checks);

    // The download is read-only, so it runs in preview too: the preview shows a new layer version as soon as
    // the Console's layer changes. The zip is re-written deterministically, so only content changes count.
    // Nothing in `layer` is a credential: unsecret it, or the settings' secretness would hide the layer's hash
    // and version from the preview.
    const layer = pulumi.unsecret(
      pulumi.all([settings, request]).apply(
        checks.guard(async ([s, r]) => {
          const compute = consoleFor(s);
          const zip = await compute.lambdaLayer({
            provider: "aws",
            runtime: r.layerRuntime,
            nodeJSModuleType: r.nodeJSModuleType,
          });
          checkDefenderArchive(await listZip(zip.path, "the Defender layer"), "The Defender layer");
          const normalized = await normalizeZip(zip.path, "the Defender layer", workDir("lambda"));
          return {
            path: normalized.path,
            sourceCodeHash: Buffer.from(normalized.sha256, "hex").toString("base64"),
            defenderVersion: await compute.consoleVersion(),
          };
        }),
      ),
    );

    this.runtime = request.apply((r) => r.family);
    this.nodeJSModuleType = request.apply((r) => r.nodeJSModuleType);
    this.defenderVersion = layer.apply((l) => l.defenderVersion);
    this.sourceCodeHash = layer.apply((l) => l.sourceCodeHash);
    this.layerVersion = new aws.lambda.LayerVersion(
      name,
      {
        layerName: args.name ?? derivePhysicalName(name, 140),
        description:
          args.description ??
          pulumi.interpolate`Prisma Cloud Serverless Defender ${this.defenderVersion} for ${this.runtime}`,
        code: layer.apply((l) => new pulumi.asset.FileArchive(l.path)),
        sourceCodeHash: this.sourceCodeHash,
        compatibleRuntimes: request.apply((r) => layerCompatibleRuntimes(r.family)),
        compatibleArchitectures: ["x86_64"],
      },
      { parent: this },
    );
    this.arn = this.layerVersion.arn;
    this.registerOutputs({
      arn: this.arn,
      layerVersion: this.layerVersion,
      runtime: this.runtime,
      nodeJSModuleType: this.nodeJSModuleType,
      defenderVersion: this.defenderVersion,
      sourceCodeHash: this.sourceCodeHash,
    });
  }
}

interface LayerRequestValues {
  family: DefenderRuntimeFamily;
  layerRuntime: string;
  nodeJSModuleType?: NodeJSModuleType;
}

/** The layer request for these args, or an error naming the field and the fix. */
export function layerRequest(
  runtime: string,
  moduleType: string | undefined,
  architectures: string[] | undefined,
): LayerRequestValues {
  const layerRuntime = layerRuntimeForFamily(runtime, "runtime");
  if (
    moduleType !== undefined &&
    !Object.values(NodeJSModuleType).includes(moduleType as NodeJSModuleType)
  ) {
    throw new ProblemsError(
      problem("nodeJSModuleType", `"${moduleType}" is not one of: commonjs, ecmascript.`),
    );
  }
  if (moduleType !== undefined && runtime !== "nodejs") {
    throw new ProblemsError(
      problem("nodeJSModuleType", `applies to the nodejs family only; remove it for "${runtime}".`),
    );
  }
  if (architectures && architectures.some((a) => a !== "x86_64")) {
    throw new ProblemsError(
      problem(
        "compatibleArchitectures",
        `${JSON.stringify(architectures)}: the Serverless Defender does not support arm64; use ["x86_64"] or leave it unset.`,
      ),
    );
  }
  return {
    family: runtime as DefenderRuntimeFamily,
    layerRuntime,
    nodeJSModuleType:
      runtime === "nodejs" ? ((moduleType as NodeJSModuleType) ?? "commonjs") : undefined,
  };
}
