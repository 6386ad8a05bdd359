// Shared set-up of the protectStack tests: the Lambda tests' simulator and mocks, with the mock monitor wrapped so
// that stack transforms run as the engine runs them (over gRPC, through the program's callback server).
import * as pulumi from "@pulumi/pulumi";
import {
  applyStackTransformsLikeTheEngine,
  EngineTransforms,
} from "../../scripts/demo/engineTransforms";
import { MockHarness, MockOptions, RecordedResource, unwrapInput } from "../helpers/pulumi";
import { LambdaTestContext } from "../lambda/support";

export const FUNCTION = "aws:lambda/function:Function";
export const LAYER = "aws:lambda/layerVersion:LayerVersion";
export const TASK = "aws:ecs/taskDefinition:TaskDefinition";
export const ROLE = "arn:aws:iam::123456789012:role/lambda";

/** Mocks whose monitor applies stack transforms like the engine. */
export function engineMocks(
  ctx: LambdaTestContext,
  options: MockOptions = {},
): MockHarness & { engine: EngineTransforms } {
  const m = ctx.mocks(options);
  const engine = applyStackTransformsLikeTheEngine(pulumi.runtime.getMonitor());
  return Object.assign(m, { engine });
}

export const byName = (m: MockHarness, type: string, name: string): RecordedResource => {
  const r = m.children(type).find((x) => x.name === name);
  if (!r)
    throw new Error(
      `no ${type} ${name}: ${m
        .children(type)
        .map((x) => x.name)
        .join(", ")}`,
    );
  return r;
};

/** The variables of a recorded function, secrets unwrapped at any level. */
export function variables(fn: RecordedResource): Record<string, string> {
  const env = unwrapInput<{ variables?: unknown }>(fn.inputs.environment);
  const vars = unwrapInput<Record<string, unknown>>(env?.variables) ?? {};
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, unwrapInput<string>(v)]));
}

/** The decoded TW_POLICY of a recorded function. */
export function policyOf(fn: RecordedResource): Record<string, unknown> {
  return JSON.parse(Buffer.from(variables(fn).TW_POLICY, "base64").toString());
}
