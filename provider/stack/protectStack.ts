// protectStack: one call at the top of a TypeScript/JavaScript program protects every Lambda function and Fargate
// task definition the program (or any library it uses) creates, through a Pulumi stack transform. Each resource
// gets what our components would give it; the components' pure transforms and the shared Console client do the
// work, so N resources asking the Console the same thing still make one request.
import * as pulumi from "@pulumi/pulumi";
import { resolveConsoleSettings } from "../core/settings";
import { StackContext, UnprotectedResource } from "./context";
import { protectTaskDefinition, requiresFargate, TASK_DEFINITION } from "./fargate";
import { LAMBDA_FUNCTION, lambdaAlreadyProtected, protectLambda } from "./lambda";
import { checkStackOptions, OPT_OUT_TAG, ProtectStackOptions } from "./options";
import { reveal, urnTypes } from "./props";
import { protectFunctionApp, WEB_APP, isFunctionApp } from "./azure";

export * from "./options";
export { UnprotectedResource } from "./context";

/** What protectStack registered. */
export interface StackProtection {
  /** Resources left unprotected so far (mode `warn`), with the reasons. */
  readonly unprotected: readonly UnprotectedResource[];
  /** Logs the one warning listing them now (it is also logged when the program ends). */
  warnUnprotected(): void;
}

/**
 * Protects every `aws.lambda.Function`, every FARGATE `aws.ecs.TaskDefinition` and, with `azureFunctions`, every
 * Function App (`azure-native:web:WebApp` of kind functionapp) registered after this call, as ProtectedLambda,
 * ProtectedFargateTask and ProtectedAzureFunction would. Resources inside our components, or already running the
 * Defender, are left alone. Call it once, before the resources are created (at the top of the program).
 */
export function protectStack(options: ProtectStackOptions = {}): StackProtection {
  const checked = checkStackOptions(options);
  const settings = resolveConsoleSettings(checked.console, "protectStack");
  const ctx = new StackContext(checked, settings);
  pulumi.runtime.registerResourceTransform((args) => transform(ctx, args));
  // One warning for the whole program: the Node.js runtime of Pulumi waits for work started in `beforeExit`.
  process.once("beforeExit", () => ctx.warnUnprotected());
  return {
    get unprotected() {
      return [...ctx.unprotected];
    },
    warnUnprotected: () => ctx.warnUnprotected(),
  };
}

async function transform(
  ctx: StackContext,
  args: pulumi.ResourceTransformArgs,
): Promise<pulumi.ResourceTransformResult | undefined> {
  if (!args.custom) return undefined;
  const o = ctx.options;
  const kind =
    args.type === LAMBDA_FUNCTION && o.lambda
      ? "lambda"
      : args.type === TASK_DEFINITION && o.fargate && requiresFargate(args.props)
        ? "fargate"
        : args.type === WEB_APP && o.azureFunctions && isFunctionApp(args.props)
          ? "azure"
          : undefined;
  if (!kind || (await leftAlone(ctx, args))) return undefined;
  if (kind === "lambda") {
    return lambdaAlreadyProtected(args.props) ? undefined : protectLambda(ctx, args);
  }
  return kind === "fargate" ? protectTaskDefinition(ctx, args) : protectFunctionApp(ctx, args);
}

/** Opted out (tag, name, predicate), or a child of one of our components (already protected by it). */
async function leftAlone(ctx: StackContext, args: pulumi.ResourceTransformArgs): Promise<boolean> {
  const tags = reveal(args.props.tags).value as Record<string, unknown> | undefined;
  if (String(tags?.[OPT_OUT_TAG] ?? "").toLowerCase() === "false") return true;
  if (ctx.options.exclude.has(args.name)) return true;
  if (
    ctx.options.include &&
    !ctx.options.include({ type: args.type, name: args.name, props: args.props })
  ) {
    return true;
  }
  const parent = args.opts.parent;
  if (!parent) return false;
  const urn = await new Promise<string>((resolve) => parent.urn.apply(resolve));
  return urnTypes(urn).some((t) => t.startsWith("prisma-defender:"));
}
