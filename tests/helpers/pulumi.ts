// The Pulumi mocks harness every component test uses: records what a program registers, awaits outputs, and
// observes a component's deploy-time failure without letting it crash the test (a rejected output nobody awaits
// is an unhandled rejection, which ends the jest process).
import * as pulumi from "@pulumi/pulumi";
import * as vm from "vm";

/** One `newResource` call seen by the mocks. */
export interface RecordedResource {
  type: string;
  name: string;
  /** Inputs as the engine would receive them; secrets appear wrapped (see `SECRET_SIG`). */
  inputs: Record<string, any>;
  /** False for component resources. */
  custom: boolean;
  provider?: string;
}

/** The signature key/value the mocks use to wrap a secret inside recorded inputs. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_REGION = "us-east-1";

export interface MockOptions {
  /** Run as `pulumi preview` (isDryRun true). */
  preview?: boolean;
  /** Stack config as the engine passes it, e.g. `{"prisma-defender:consoleUrl": "https://..."}`. */
  config?: Record<string, string>;
  /** Which config keys are secrets. */
  secretKeys?: string[];
  /** Extra computed state for a resource, merged over the defaults. */
  state?: (args: pulumi.runtime.MockResourceArgs) => Record<string, any> | undefined;
  /** Answer for an invoke; return undefined to fall back to the defaults. */
  call?: (args: pulumi.runtime.MockCallArgs) => Record<string, any> | undefined;
}

export interface MockHarness {
  /** Every registered resource, components included, in registration order. */
  readonly resources: RecordedResource[];
  /** Custom (non-component) resources, optionally of one type token (e.g. `aws:ecs/taskDefinition:TaskDefinition`). */
  children(type?: string): RecordedResource[];
  /** Every invoke seen. */
  readonly calls: pulumi.runtime.MockCallArgs[];
  reset(): void;
}

function defaultState(args: pulumi.runtime.MockResourceArgs): Record<string, any> {
  const [pkg, mod] = args.type.split(":");
  const service = (mod ?? "").split("/")[0];
  const state: Record<string, any> = {};
  if (pkg === "aws") {
    state.arn = `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT}:${service}/${args.name}`;
    if (args.type === "aws:lambda/layerVersion:LayerVersion") {
      state.version = "1";
      state.arn = `arn:aws:lambda:${MOCK_REGION}:${MOCK_ACCOUNT}:layer:${args.inputs.layerName ?? args.name}:1`;
      state.layerArn = `arn:aws:lambda:${MOCK_REGION}:${MOCK_ACCOUNT}:layer:${args.inputs.layerName ?? args.name}`;
    }
    if (args.type === "aws:lambda/function:Function") {
      state.arn = `arn:aws:lambda:${MOCK_REGION}:${MOCK_ACCOUNT}:function:${args.inputs.name ?? args.name}`;
      state.invokeArn = `arn:aws:apigateway:${MOCK_REGION}:lambda:path/functions/${state.arn}/invocations`;
    }
    if (args.type === "aws:ecs/taskDefinition:TaskDefinition") {
      state.revision = 1;
      state.arn = `arn:aws:ecs:${MOCK_REGION}:${MOCK_ACCOUNT}:task-definition/${args.inputs.family}:1`;
    }
    if (args.type === "aws:ecr/repository:Repository") {
      state.repositoryUrl = `${MOCK_ACCOUNT}.dkr.ecr.${MOCK_REGION}.amazonaws.com/${args.inputs.name ?? args.name}`;
    }
  }
  if (args.type === "docker:index/image:Image") {
    state.repoDigest = `${args.inputs.imageName}@sha256:${"0".repeat(64)}`;
  }
  if (args.type === "azure-native:web:WebApp") {
    state.defaultHostName = `${args.inputs.name ?? args.name}.azurewebsites.net`;
  }
  return state;
}

function defaultCall(args: pulumi.runtime.MockCallArgs): Record<string, any> {
  switch (args.token) {
    case "aws:index/getRegion:getRegion":
      return { name: MOCK_REGION, region: MOCK_REGION, id: MOCK_REGION, endpoint: "" };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: MOCK_ACCOUNT,
        arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/test`,
        userId: "AIDTEST",
        id: MOCK_ACCOUNT,
      };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
      return {
        userName: "AWS",
        password: "mock-ecr-password",
        proxyEndpoint: `https://${MOCK_ACCOUNT}.dkr.ecr.${MOCK_REGION}.amazonaws.com`,
      };
    default:
      return args.inputs;
  }
}

/** Installs Pulumi mocks for this test file (call again to change preview mode or config). */
export function installMocks(options: MockOptions = {}): MockHarness {
  const resources: RecordedResource[] = [];
  const calls: pulumi.runtime.MockCallArgs[] = [];
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          custom: args.custom ?? true,
          provider: args.provider,
        });
        const state = { ...args.inputs, ...defaultState(args), ...(options.state?.(args) ?? {}) };
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        calls.push(args);
        return options.call?.(args) ?? defaultCall(args);
      },
    },
    "project",
    "stack",
    options.preview ?? false,
  );
  return {
    resources,
    calls,
    children: (type?: string) => resources.filter((r) => r.custom && (!type || r.type === type)),
    reset: () => {
      resources.length = 0;
      calls.length = 0;
    },
  };
}

/** The value of an output (undefined when unknown in preview). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Value, known-ness and secret-ness of an output, without hanging on unknowns. */
export async function details<T>(
  output: pulumi.Output<T>,
): Promise<{ value: T | undefined; known: boolean; secret: boolean }> {
  const o = output as any;
  const [known, secret] = await Promise.all([
    o.isKnown as Promise<boolean>,
    o.isSecret as Promise<boolean>,
  ]);
  const value = known ? await (o.promise() as Promise<T>) : undefined;
  return { value, known, secret };
}

/**
 * Resolves once every resource registration, invoke and `registerOutputs` the program has started is answered.
 * Pulumi's runtime chains one keep-alive per outstanding RPC (`rpcKeepAlive`, taken when a resource is constructed,
 * so a registration still waiting on a Console call counts); `waitForRPCs` is what `pulumi.runtime.disconnect()`
 * awaits before a program may exit, and it waits again whenever new RPCs start meanwhile. Then one macrotask
 * turn: Node reports a promise rejected meanwhile as unhandled before the next one runs. Fails when the RPCs have
 * not drained after `timeoutMs` (a registration waiting on an output that never resolves), instead of hanging.
 */
export async function registrationsDone(timeoutMs = 30_000): Promise<void> {
  const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> })
    .waitForRPCs;
  if (typeof waitForRPCs !== "function") {
    throw new Error(
      "@pulumi/pulumi no longer exports runtime.waitForRPCs: update registrationsDone in tests/helpers/pulumi.ts",
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Pulumi RPCs still outstanding after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([waitForRPCs(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `build` (which constructs components) and waits until the output it returns, if any, resolves or rejects
 * and every registration has been answered, collecting every unhandled rejection meanwhile. Jest runs tests in a VM whose `process` is a
 * copy, so the listener goes on the real process, reached through `vm.runInThisContext`; jest's own listeners are
 * restored afterwards. Returns the distinct error messages (a failed deploy-time call surfaces once per dependent
 * output).
 */
export async function captureDeployErrors(
  build: () => pulumi.Output<unknown> | Promise<unknown> | void,
): Promise<string[]> {
  const realProcess = vm.runInThisContext("process") as NodeJS.Process;
  const saved = realProcess.listeners("unhandledRejection");
  realProcess.removeAllListeners("unhandledRejection");
  const errors: unknown[] = [];
  realProcess.on("unhandledRejection", (e) => errors.push(e));
  try {
    try {
      const result = await build();
      if (pulumi.Output.isInstance(result)) {
        await (result as any).promise().catch((e: unknown) => errors.push(e));
      }
    } catch (e) {
      errors.push(e);
    }
    await registrationsDone();
  } finally {
    realProcess.removeAllListeners("unhandledRejection");
    for (const l of saved) realProcess.on("unhandledRejection", l as (...args: any[]) => void);
  }
  return [...new Set(errors.map((e) => (e instanceof Error ? e.message : String(e))))];
}

/** Replaces every secret-wrapped subtree by a marker, so what is left is what the engine stores in plaintext. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG] === SECRET_SIG_VALUE) return "[secret]";
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, withoutSecrets(v)]));
  }
  return value;
}

/** Where any of `secrets` appears in plaintext in the recorded inputs: `type name` of each offender. */
export function plaintextSecretsIn(resources: RecordedResource[], secrets: string[]): string[] {
  const needles = secrets.filter((s) => s && s.length >= 6);
  const found: string[] = [];
  for (const r of resources) {
    const text = JSON.stringify(withoutSecrets(r.inputs));
    for (const s of needles) {
      if (text.includes(s)) found.push(`${r.type} ${r.name}`);
    }
  }
  return found;
}

/** True when a recorded input value is secret-wrapped. */
export function isSecretInput(value: unknown): boolean {
  return !!value && typeof value === "object" && (value as any)[SECRET_SIG] === SECRET_SIG_VALUE;
}

/** The plain value of a recorded input, unwrapping a secret wrapper. */
export function unwrapInput<T = any>(value: unknown): T {
  return (isSecretInput(value) ? (value as any).value : value) as T;
}
