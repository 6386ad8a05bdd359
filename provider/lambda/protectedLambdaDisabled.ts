// ProtectedLambda with `enabled: false`: the same aws.lambda.Function, under the same URN and physical name, as the
// user's args describe it unprotected (their handler, code, layers and variables), and no Console call.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { deriveFunctionName } from "./lambdaPreflight";
import { functionArgsOf, ProtectedLambdaArgs } from "./protectedLambdaArgs";

/** The function's args without the Defender: what `new aws.lambda.Function` would get from the user directly. */
export function unprotectedFunctionArgs(
  name: string,
  args: ProtectedLambdaArgs,
): aws.lambda.FunctionArgs {
  // The derived name, as when protected: switching is an update, not a replacement under a new name.
  return { ...functionArgsOf(args), name: args.name ?? deriveFunctionName(name) };
}

/** Names of the user's own variables (what the function gets when unprotected). */
export function userVariableNames(args: ProtectedLambdaArgs): pulumi.Output<string[]> {
  return pulumi.unsecret(
    pulumi.output(args.environment).apply((e) => Object.keys(e?.variables ?? {}).sort()),
  );
}
