// The values ProtectedLambda checks and merges: the args known at construction, and the final environment.
import * as pulumi from "@pulumi/pulumi";
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
): { variables: Record<string, string>; problem?: string } {
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

/** True when `v` holds no Output or Promise at any depth: its value is known now, as `pulumi.all` would give it. */
export function isDeepPlain(v: unknown): boolean {
  if (v === null || typeof v !== "object") return true;
  if (isOutput(v) || v instanceof Promise) return false;
  if (Array.isArray(v)) return v.every(isDeepPlain);
  const proto = Object.getPrototypeOf(v) as unknown;
  // Assets, archives and resources are passed through whole by `pulumi.all`; only plain data is looked into.
  if (proto !== Object.prototype && proto !== null) return true;
  return Object.values(v as Record<string, unknown>).every(isDeepPlain);
}

/**
 * `f` of the inputs' values as an Output. When every input is already plain, `f` runs now and its result is
 * wrapped once: the same value `pulumi.all(inputs).apply(f)` would give, without an Output per input. If `f`
 * throws on plain values, the error is left to the Output as before (an apply that fails), not thrown here.
 */
export function derive<T extends readonly unknown[], R>(
  inputs: readonly [...T],
  f: (values: { [K in keyof T]: pulumi.Unwrap<T[K]> }) => R | Promise<R>,
): pulumi.Output<R> {
  type Values = { [K in keyof T]: pulumi.Unwrap<T[K]> };
  if (inputs.every(isDeepPlain)) {
    try {
      return pulumi.output(f(inputs as unknown as Values)) as pulumi.Output<R>;
    } catch {
      // Fall through: the apply below fails the same way, as an Output error.
    }
  }
  return (pulumi.all(inputs as unknown as unknown[]) as pulumi.Output<unknown>).apply((values) =>
    f(values as unknown as Values),
  ) as pulumi.Output<R>;
}
