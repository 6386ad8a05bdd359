// The args of ProtectedLambda: aws.lambda.Function's, plus how to reach the Console and how to protect.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConsoleArgs } from "../core/types";
import { LambdaProtectionMode } from "./lambdaPreflight";
import { DefenderRuntimeFamily, LambdaRuntime, NodeJSModuleType } from "./runtimes";

/**
 * The outputs of a DefenderLayer a function uses. A DefenderLayer instance is one (the schema cannot reference our
 * own component type, so this is its shape rather than the class).
 */
export interface DefenderLayerReference {
  /** ARN of the layer version. */
  arn: pulumi.Input<string>;
  /** Runtime family of the layer; checked against the function's runtime when given. */
  runtime?: pulumi.Input<DefenderRuntimeFamily>;
  /** Node.js: the module system the layer was made for (its `nodeJSModuleType` output); checked against the handler's. */
  nodeJSModuleType?: pulumi.Input<string | undefined>;
  /** Console version the layer came from; reported as the function's `defenderVersion` when given. */
  defenderVersion?: pulumi.Input<string>;
}

/** Environment of a ProtectedLambda, as in `aws.lambda.Function`. */
export interface ProtectedLambdaEnvironment {
  /** Variables for the function. ORIGINAL_HANDLER and TW_POLICY are set by the component and may not appear. */
  variables?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface ProtectedLambdaArgs {
  /** How to reach the Compute Console. Fields not set here come from stack config or the environment. */
  console?: ConsoleArgs;
  /**
   * Default true. `false`: the same function, under the same URN and name, with your handler, code, layers and
   * variables as given, no Defender and no Console call; switching is an in-place update of the function.
   */
  enabled?: boolean;
  /** `layer` (default): the Console's layer and handler redirection. `embedded`: bundle and wrapper merged into `code`. */
  mode?: LambdaProtectionMode;
  /**
   * A shared Defender layer (layer mode): pass a `DefenderLayer` itself (TypeScript), or its `arn`, `runtime` and
   * `defenderVersion` outputs. Default: the component publishes its own. Not with `defenderLayerArn`.
   */
  defenderLayer?: DefenderLayerReference;
  /** ARN of a Defender layer version published elsewhere (layer mode). Not with `defenderLayer`. */
  defenderLayerArn?: pulumi.Input<string>;
  /** Region TW_POLICY is generated for. Default: the AWS provider's region. */
  region?: pulumi.Input<string>;
  /** Embedded mode: the code already calls the Defender (required for Java and .NET); only the bundle is added. */
  codeAlreadyWrapped?: pulumi.Input<boolean>;
  /**
   * Node.js layer mode without `defenderLayer`: the module system of the layer the component makes. Default: the
   * handler's own, read from `code` (`.mjs`, or `.js` under `"type": "module"`: `ecmascript`), else `commonjs`.
   */
  nodeJSModuleType?: pulumi.Input<NodeJSModuleType>;
  /** Function name. Default: derived from the resource name, no random suffix (TW_POLICY is made for the name). */
  name?: pulumi.Input<string>;
  /** The function's code. Embedded mode: a FileArchive (directory, .zip or .jar) or AssetArchive. */
  code?: pulumi.Input<pulumi.asset.Archive>;
  /** Layer mode only: S3 bucket of the deployment package, instead of `code`. */
  s3Bucket?: pulumi.Input<string>;
  /** Layer mode only: S3 key of the deployment package. */
  s3Key?: pulumi.Input<string>;
  /** Layer mode only: version of the S3 object. */
  s3ObjectVersion?: pulumi.Input<string>;
  /** The function's own handler, such as `index.handler`; the component redirects it and keeps it as the original. */
  handler: pulumi.Input<string>;
  /** Runtime, such as `nodejs20.x` or `python3.12`. */
  runtime: pulumi.Input<LambdaRuntime>;
  /** ARN of the function's execution role. */
  role: pulumi.Input<string>;
  /** Description of the function. */
  description?: pulumi.Input<string>;
  /** Memory in MB. Default 128. */
  memorySize?: pulumi.Input<number>;
  /** Timeout in seconds. Default 3. */
  timeout?: pulumi.Input<number>;
  /** Environment variables. */
  environment?: pulumi.Input<ProtectedLambdaEnvironment>;
  /** VPC configuration. The function must still reach the Console (Defender policy updates). */
  vpcConfig?: pulumi.Input<aws.types.input.lambda.FunctionVpcConfig>;
  /** Your layer ARNs; in layer mode the Defender's layer is appended (5 in total at most). */
  layers?: pulumi.Input<pulumi.Input<string>[]>;
  /** Tags. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Must be `["x86_64"]` or unset: the Serverless Defender does not support arm64. */
  architectures?: pulumi.Input<pulumi.Input<string>[]>;
  /** Publish a version on each change. */
  publish?: pulumi.Input<boolean>;
  /** Reserved concurrency; -1 for none. */
  reservedConcurrentExecutions?: pulumi.Input<number>;
  /** KMS key ARN for the environment variables. */
  kmsKeyArn?: pulumi.Input<string>;
  /** X-Ray tracing configuration. */
  tracingConfig?: pulumi.Input<aws.types.input.lambda.FunctionTracingConfig>;
  /** Dead-letter queue configuration. */
  deadLetterConfig?: pulumi.Input<aws.types.input.lambda.FunctionDeadLetterConfig>;
  /** Size of /tmp. */
  ephemeralStorage?: pulumi.Input<aws.types.input.lambda.FunctionEphemeralStorage>;
  /** Logging configuration. */
  loggingConfig?: pulumi.Input<aws.types.input.lambda.FunctionLoggingConfig>;
  /** EFS file system configuration. */
  fileSystemConfig?: pulumi.Input<aws.types.input.lambda.FunctionFileSystemConfig>;
}

/**
 * The args that go to `aws.lambda.Function` as given: all but the Defender's own (and `name`, which the component
 * derives when unset). The component then overrides what protection changes (handler, code, layers, environment).
 */
export function functionArgsOf(args: ProtectedLambdaArgs): aws.lambda.FunctionArgs {
  const {
    console: _console,
    enabled: _enabled,
    mode: _mode,
    defenderLayer: _defenderLayer,
    defenderLayerArn: _defenderLayerArn,
    region: _region,
    codeAlreadyWrapped: _codeAlreadyWrapped,
    nodeJSModuleType: _nodeJSModuleType,
    name: _name,
    ...functionArgs
  } = args;
  return functionArgs;
}
