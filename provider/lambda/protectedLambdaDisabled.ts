// ProtectedLambda with `enabled: false`: the same aws.lambda.Function, under the same URN and physical name, as the
// user's args describe it unprotected (their handler, code, layers and variables), and no Console call.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { deriveFunctionName } from "./lambdaPreflight";
import { ProtectedLambdaArgs } from "./protectedLambdaArgs";

/** The function's args without the Defender: what `new aws.lambda.Function` would get from the user directly. */
export function unprotectedFunctionArgs(
  name: string,
  args: ProtectedLambdaArgs,
): aws.lambda.FunctionArgs {
  return {
    // The derived name, as when protected: switching is an update, not a replacement under a new name.
    name: args.name ?? deriveFunctionName(name),
    role: args.role,
    runtime: args.runtime,
    handler: args.handler,
    code: args.code,
    s3Bucket: args.s3Bucket,
    s3Key: args.s3Key,
    s3ObjectVersion: args.s3ObjectVersion,
    layers: args.layers,
    environment: args.environment,
    architectures: args.architectures,
    description: args.description,
    memorySize: args.memorySize,
    timeout: args.timeout,
    vpcConfig: args.vpcConfig,
    tags: args.tags,
    publish: args.publish,
    reservedConcurrentExecutions: args.reservedConcurrentExecutions,
    kmsKeyArn: args.kmsKeyArn,
    tracingConfig: args.tracingConfig,
    deadLetterConfig: args.deadLetterConfig,
    ephemeralStorage: args.ephemeralStorage,
    loggingConfig: args.loggingConfig,
    fileSystemConfig: args.fileSystemConfig,
  };
}

/** Names of the user's own variables (what the function gets when unprotected). */
export function userVariableNames(args: ProtectedLambdaArgs): pulumi.Output<string[]> {
  return pulumi.unsecret(
    pulumi.output(args.environment).apply((e) => Object.keys(e?.variables ?? {}).sort()),
  );
}
