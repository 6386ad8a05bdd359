// Benchmarks 3 and 4 (child): the measured stack as a Pulumi program under mocks, previewed `previews` times in
// this one process, against the simulator the parent started (reached through the PRISMACLOUDCOMPUTE_* variables,
// the way a CI pipeline configures it). Protected: ProtectedLambda (one shared DefenderLayer per runtime family),
// ProtectedFargateTask, EmbeddedDefenderImage. Unprotected: the same functions as plain aws.lambda.Function.
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as aws from "@pulumi/aws";
import type * as Docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DefenderLayer } from "../../provider/lambda/defenderLayer";
import { EmbeddedDefenderImage, EmbedMode } from "../../provider/image/embeddedDefenderImage";
import { ProtectedFargateTask } from "../../provider/fargate/protectedFargateTask";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { LambdaProtectionMode } from "../../provider/lambda/lambdaPreflight";
import { details, installMocks, registrationsDone } from "../../tests/helpers/pulumi";
import { childInput, consoleEnv, runMain } from "../lib/child";
import { countPromises, PromiseSites } from "../lib/promiseSites";
import { familiesOf, StackShape, stackShape } from "../lib/stack";

interface Input {
  protect: boolean;
  /**
   * Diagnostic (unprotected only): wrap each plain function in a bare ComponentResource (no Outputs of its own,
   * `registerOutputs({})`), the least a component around a function costs Pulumi, whatever the component does.
   */
  bareComponents?: boolean;
  functions: number;
  tasks: number;
  images: number;
  previews: number;
  cacheDir: string;
  /** Runtimes the functions spread over (bench/lib/stack.ts); default the three of benchmarks 3 and 4. */
  runtimes?: "three" | "all";
  /** Make an unauthenticated `GET /_ping` between previews, so the parent can split the request log. */
  marker?: boolean;
}

export interface DeploymentResult {
  /**
   * Per preview: ms from the first resource to every workload output settled, ms then spent until every
   * registration was answered, and resources registered.
   */
  previews: {
    ms: number;
    drainMs: number;
    /** Of `ms`, the synchronous part: every resource constructed, before any Output settles. */
    constructMs: number;
    cpuMs: number;
    resources: number;
    workloads: number;
  }[];
  /** The process's peak RSS (VmHWM) after the first preview, in bytes; undefined where /proc is missing. */
  peakRssAfterFirst?: number;
  /** With BENCH_PROMISES=1: the promises the first preview created (construction to every registration answered). */
  promises?: PromiseSites;
  /** Parts of the stack that could not be built, with the reason. */
  missing: string[];
  /** Deploy-time errors (rejected outputs) seen while previewing: the figures are then suspect. */
  errors: string[];
}

async function main(): Promise<DeploymentResult> {
  const input = childInput<Input>();
  // Diagnostics: BENCH_SOURCE_MAPS=off measures without source-mapped stack traces (Pulumi captures a stack
  // trace for every resource property; tsx turns source maps on, which makes each capture costly).
  if (process.env.BENCH_SOURCE_MAPS === "off") process.setSourceMapsEnabled(false);
  const conn = consoleEnv();
  Object.assign(process.env, {
    PRISMA_DEFENDER_CACHE_DIR: input.cacheDir,
    PRISMACLOUDCOMPUTE_CONSOLE_URL: conn.url,
    PRISMACLOUDCOMPUTE_USERNAME: conn.username,
    PRISMACLOUDCOMPUTE_PASSWORD: conn.password,
    PRISMACLOUDCOMPUTE_CA_CERT: conn.caCertificate,
  });
  const shape = stackShape(input.functions, input.tasks, input.images, input.runtimes);
  const codeDirs = writeCode(shape);
  const missing: string[] = [];
  const errors = new Set<string>();
  process.on("unhandledRejection", (e) =>
    errors.add(String((e as Error)?.message ?? e).split("\n")[0]),
  );
  const previews: DeploymentResult["previews"] = [];
  let peakRssAfterFirst: number | undefined;
  let promises: PromiseSites | undefined;

  for (let round = 0; round < input.previews; round++) {
    if (round > 0 && input.marker) await ping(conn.url, conn.caCertificate);
    const mocks = installMocks({ preview: true });
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const outputs: pulumi.Output<unknown>[] = [];
    // Diagnostics only (the hook slows every promise): never set in a timed run.
    const counting = round === 0 && process.env.BENCH_PROMISES ? countPromises() : undefined;
    const role = "arn:aws:iam::123456789012:role/lambda";
    if (input.protect) {
      const layers = new Map(
        familiesOf(shape).map((family) => [
          family,
          new DefenderLayer(`defender-${family}`, { runtime: family as "nodejs" }),
        ]),
      );
      for (const fn of shape.functions) {
        const lambda = new ProtectedLambda(fn.name, {
          runtime: fn.runtime as "nodejs20.x",
          handler: fn.handler,
          role,
          code: new pulumi.asset.FileArchive(codeDirs.get(fn.runtime)!),
          ...(fn.mode === "layer"
            ? { defenderLayer: layers.get(fn.family) }
            : { mode: LambdaProtectionMode.Embedded, codeAlreadyWrapped: true }),
        });
        outputs.push(lambda.arn, lambda.function.environment);
      }
      outputs.push(...optional(missing, "ProtectedFargateTask", () => fargateTasks(shape)));
      outputs.push(...optional(missing, "EmbeddedDefenderImage", () => images(shape)));
    } else {
      for (const fn of shape.functions) {
        const args: aws.lambda.FunctionArgs = {
          runtime: fn.runtime,
          handler: fn.handler,
          role,
          code: new pulumi.asset.FileArchive(codeDirs.get(fn.runtime)!),
        };
        const plain = input.bareComponents
          ? new BareComponent(fn.name, args).function
          : new aws.lambda.Function(fn.name, args);
        outputs.push(plain.arn, plain.environment);
      }
      outputs.push(...plainTasks(shape), ...plainImages(shape));
    }
    const constructMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (round === 0) heapSnapshot(input, "constructed");
    await Promise.all(outputs.map((o) => details(o)));
    const settled = process.hrtime.bigint();
    const ms = Number(settled - started) / 1e6;
    // CPU time of the process over the same span (all threads): steadier than wall time on a shared machine.
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    await registrationsDone();
    const drainMs = Number(process.hrtime.bigint() - settled) / 1e6;
    promises = counting?.stop() ?? promises;
    if (round === 0) {
      peakRssAfterFirst = peakRss();
      heapSnapshot(input, "settled");
    }
    previews.push({
      ms,
      drainMs,
      constructMs,
      cpuMs,
      resources: mocks.resources.length,
      workloads: mocks.children().filter((r) => WORKLOADS.has(r.type)).length,
    });
  }
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  return { previews, peakRssAfterFirst, promises, missing, errors: [...errors] };
}

/**
 * Diagnostics: BENCH_HEAP_SNAPSHOT=<dir> writes the heap of the first preview twice: once every resource is
 * constructed (every registration pending), and once every registration is answered (the program's objects still
 * reachable). Summarise with bench/heapsnapshot.ts. Writing one collects garbage first: never a timed run.
 */
function heapSnapshot(input: Input, moment: "constructed" | "settled"): void {
  const dir = process.env.BENCH_HEAP_SNAPSHOT;
  if (!dir) return;
  const variant = input.protect ? "protected" : input.bareComponents ? "bare" : "plain";
  v8.writeHeapSnapshot(path.join(path.resolve(dir), `${variant}-${moment}.heapsnapshot`));
}

/** The kernel's high-water mark of this process's resident set (VmHWM), in bytes. */
function peakRss(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A component around a function that adds nothing: what any such component costs Pulumi (diagnostic). */
class BareComponent extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  constructor(name: string, args: aws.lambda.FunctionArgs) {
    super("prisma-defender:index:ProtectedLambda", name, {});
    this.function = new aws.lambda.Function(name, args, { parent: this });
    this.registerOutputs({});
  }
}

/** The marker between previews: a request no component makes. */
function ping(url: string, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    https
      .get(`${url}/api/v1/_ping`, { ca }, (res) => {
        res.resume();
        res.on("end", () => resolve());
      })
      .on("error", reject);
  });
}

const WORKLOADS = new Set([
  "aws:lambda/function:Function",
  "aws:ecs/taskDefinition:TaskDefinition",
  "docker:index/image:Image",
]);

/** Directories this child wrote its inputs to, removed before it reports. */
const scratch: string[] = [];

/** One code directory per runtime, shared by that runtime's functions. */
function writeCode(shape: StackShape): Map<string, string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-code-"));
  scratch.push(root);
  const dirs = new Map<string, string>();
  for (const fn of shape.functions) {
    if (dirs.has(fn.runtime)) continue;
    const dir = path.join(root, fn.runtime);
    fs.mkdirSync(path.dirname(path.join(dir, fn.file)), { recursive: true });
    fs.writeFileSync(path.join(dir, fn.file), fn.source);
    dirs.set(fn.runtime, dir);
  }
  return dirs;
}

/**
 * Build one part of the stack; a part that throws is left out and named in `missing` (with its error), so the
 * other parts are still measured and the report says what was not.
 */
function optional<T>(missing: string[], what: string, build: () => T[]): T[] {
  try {
    return build();
  } catch (error) {
    const line = `${what}: ${(error as Error).message.split("\n")[0]}`;
    if (!missing.includes(line)) missing.push(line);
    return [];
  }
}

function fargateTasks(shape: StackShape): pulumi.Output<unknown>[] {
  return shape.tasks.map((task) => {
    const protectedTask = new ProtectedFargateTask(task.family, {
      family: task.family,
      cpu: "256",
      memory: "512",
      containerDefinitions: JSON.stringify(task.containerDefinitions),
    });
    return protectedTask.arn;
  });
}

/** The unprotected counterparts: the same task definitions and images, as the user would declare them. */
function plainTasks(shape: StackShape): pulumi.Output<unknown>[] {
  return shape.tasks.map(
    (task) =>
      new aws.ecs.TaskDefinition(task.family, {
        family: task.family,
        cpu: "256",
        memory: "512",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        containerDefinitions: JSON.stringify(task.containerDefinitions),
      }).arn,
  );
}

function plainImages(shape: StackShape): pulumi.Output<unknown>[] {
  if (!shape.images.length) return [];
  // Loaded only when used, as the component loads it (provider/core/peers.ts): a program without images
  // does not pay for the docker SDK in either variant.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const docker = require("@pulumi/docker") as typeof Docker;
  const root = imageContexts(shape);
  return shape.images.map(
    (image) =>
      new docker.Image(image.name, {
        imageName: `registry.example.com/${image.name}:1.0`,
        build: { context: path.join(root, image.name) },
        skipPush: true,
      }).repoDigest,
  );
}

/** One build context per image (its Dockerfile and a small app), shared by the protected and plain variants. */
function imageContexts(shape: StackShape): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-images-"));
  scratch.push(root);
  shape.images.forEach((image, i) => {
    const context = path.join(root, image.name);
    fs.mkdirSync(context);
    fs.writeFileSync(path.join(context, "Dockerfile"), image.dockerfile);
    fs.mkdirSync(path.join(context, `app-${i}`));
    fs.writeFileSync(path.join(context, `app-${i}`, "run"), "#!/bin/sh\necho hello\n", {
      mode: 0o755,
    });
  });
  return root;
}

function images(shape: StackShape): pulumi.Output<unknown>[] {
  const root = imageContexts(shape);
  return shape.images.map((image) => {
    const context = path.join(root, image.name);
    const protectedImage = new EmbeddedDefenderImage(image.name, {
      mode: EmbedMode.Console,
      context,
      appId: image.appId,
      imageName: `registry.example.com/${image.name}:1.0`,
      skipPush: true,
    });
    return protectedImage.repoDigest;
  });
}

runMain(main);
