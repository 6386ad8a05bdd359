// Benchmarks 3 and 4 (child): the measured stack as a Pulumi program under mocks, previewed `previews` times in
// this one process, against the simulator the parent started (reached through the PRISMACLOUDCOMPUTE_* variables,
// the way a CI pipeline configures it). Protected: ProtectedLambda (one shared DefenderLayer per runtime family),
// ProtectedFargateTask, EmbeddedDefenderImage. Unprotected: the same functions as plain aws.lambda.Function.
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DefenderLayer } from "../../provider/lambda/defenderLayer";
import { EmbeddedDefenderImage, EmbedMode } from "../../provider/image/embeddedDefenderImage";
import { ProtectedFargateTask } from "../../provider/fargate/protectedFargateTask";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { details, installMocks, registrationsDone } from "../../tests/helpers/pulumi";
import { childInput, consoleEnv, runMain } from "../lib/child";
import { familiesOf, StackShape, stackShape } from "../lib/stack";

interface Input {
  protect: boolean;
  functions: number;
  tasks: number;
  images: number;
  previews: number;
  cacheDir: string;
  /** Make an unauthenticated `GET /_ping` between previews, so the parent can split the request log. */
  marker?: boolean;
}

export interface DeploymentResult {
  /**
   * Per preview: ms from the first resource to every workload output settled, ms then spent until every
   * registration was answered, and resources registered.
   */
  previews: { ms: number; drainMs: number; resources: number; workloads: number }[];
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
  const shape = stackShape(input.functions, input.tasks, input.images);
  const codeDirs = writeCode(shape);
  const missing: string[] = [];
  const errors = new Set<string>();
  process.on("unhandledRejection", (e) =>
    errors.add(String((e as Error)?.message ?? e).split("\n")[0]),
  );
  const previews: DeploymentResult["previews"] = [];

  for (let round = 0; round < input.previews; round++) {
    if (round > 0 && input.marker) await ping(conn.url, conn.caCertificate);
    const mocks = installMocks({ preview: true });
    const started = process.hrtime.bigint();
    const outputs: pulumi.Output<unknown>[] = [];
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
          defenderLayer: layers.get(fn.family),
        });
        outputs.push(lambda.arn, lambda.function.environment);
      }
      outputs.push(...optional(missing, "ProtectedFargateTask", () => fargateTasks(shape)));
      outputs.push(...optional(missing, "EmbeddedDefenderImage", () => images(shape)));
    } else {
      for (const fn of shape.functions) {
        const plain = new aws.lambda.Function(fn.name, {
          runtime: fn.runtime,
          handler: fn.handler,
          role,
          code: new pulumi.asset.FileArchive(codeDirs.get(fn.runtime)!),
        });
        outputs.push(plain.arn, plain.environment);
      }
    }
    await Promise.all(outputs.map((o) => details(o)));
    const settled = process.hrtime.bigint();
    const ms = Number(settled - started) / 1e6;
    await registrationsDone();
    previews.push({
      ms,
      drainMs: Number(process.hrtime.bigint() - settled) / 1e6,
      resources: mocks.resources.length,
      workloads: mocks.children().filter((r) => WORKLOADS.has(r.type)).length,
    });
  }
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  return { previews, missing, errors: [...errors] };
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
    fs.mkdirSync(dir);
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

function images(shape: StackShape): pulumi.Output<unknown>[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-images-"));
  scratch.push(root);
  return shape.images.map((image, i) => {
    const context = path.join(root, image.name);
    fs.mkdirSync(context);
    fs.writeFileSync(path.join(context, "Dockerfile"), image.dockerfile);
    fs.mkdirSync(path.join(context, `app-${i}`));
    fs.writeFileSync(path.join(context, `app-${i}`, "run"), "#!/bin/sh\necho hello\n", {
      mode: 0o755,
    });
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
