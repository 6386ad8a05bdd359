// The values ProtectedLambda checks and merges: the args known at construction, and the final environment.
import * as pulumi from "@pulumi/pulumi";
import { InputProblem } from "../core/problems";
import {
  checkFinalEnvironment,
  LambdaPreflightInput,
  LambdaProtectionMode,
} from "./lambdaPreflight";

/** The preflight input with every value resolved, as the component carries it to the Console calls. */
export interface ResolvedLambdaInput extends LambdaPreflightInput {
  runtime: string;
  handler: string;
  environment: Record<string, string>;
}

/**
 * The function's environment: the user's variables, ORIGINAL_HANDLER in layer mode, and TW_POLICY, with sorted
 * keys (a stable order, so an unchanged function shows no diff), plus the 4 KB check with the real TW_POLICY.
 */
export function defenderEnvironment(
  input: ResolvedLambdaInput,
  twPolicy: string,
): { variables: Record<string, string>; problem?: InputProblem } {
  const all: Record<string, string> = { ...input.environment, TW_POLICY: twPolicy };
  if (input.mode === LambdaProtectionMode.Layer) all.ORIGINAL_HANDLER = input.handler;
  const variables = Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((k) => [k, all[k]]),
  );
  return { variables, problem: checkFinalEnvironment(variables) };
}

const plain = (v: unknown): unknown => (v === undefined || isOutput(v) ? undefined : v);
const isOutput = (v: unknown): boolean => pulumi.Output.isInstance(v);
const plainStrings = (v: unknown): string[] | undefined => {
  const p = plain(v);
  return Array.isArray(p) && p.every((x) => typeof x === "string") ? p : undefined;
};

/** The preflight input from component args, with only the values that are already plain (no Outputs). */
export function plainPreflightInput(
  mode: LambdaProtectionMode,
  args: Record<string, unknown> | object,
  name: unknown,
): LambdaPreflightInput {
  const a = args as Record<string, unknown>;
  const env = plain(a.environment) as { variables?: unknown } | undefined;
  const vars = env === undefined ? {} : plain(env.variables);
  const plainVars =
    vars && typeof vars === "object" && Object.values(vars).every((v) => typeof v === "string")
      ? (vars as Record<string, string>)
      : undefined;
  const code = a.code;
  const hasLocalCode =
    code === undefined
      ? a.s3Bucket === undefined && undefined
      : isOutput(code)
        ? undefined
        : !("uri" in (code as object));
  const layers = plain(a.layers);
  return {
    mode,
    runtime: plain(a.runtime) as string | undefined,
    handler: plain(a.handler) as string | undefined,
    architectures: plainStrings(a.architectures),
    userLayerCount: Array.isArray(layers) ? layers.length : undefined,
    environment: plainVars,
    codeAlreadyWrapped: plain(a.codeAlreadyWrapped) as boolean | undefined,
    layerGiven: a.defenderLayer !== undefined || a.defenderLayerArn !== undefined,
    moduleTypeGiven: a.nodeJSModuleType !== undefined,
    hasLocalCode,
    name: plain(name) as string | undefined,
  };
}
