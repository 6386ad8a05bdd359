// Benchmarks 3 and 4 (child): the measured stack as a Pulumi program under mocks, previewed `previews` times in
// this one process, against the simulator the parent started (reached through the PRISMACLOUDCOMPUTE_* variables,
// the way a CI pipeline configures it). Protected: ProtectedLambda (one shared DefenderLayer per runtime family),
// ProtectedFargateTask, EmbeddedDefenderImage. Unprotected: the same functions as plain aws.lambda.Function.
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
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
  /** Per preview: ms from the first resource to every workload output settled, and resources registered. */
  previews: { ms: number; resources: number; workloads: number }[];
  /** Component kinds that could not be built (a component that has not landed), with the reason. */
  missing: string[];
}

async function main(): Promise<DeploymentResult> {
  const input = childInput<Input>();
  const conn = consoleEnv();
  Object.assign(process.env, {
    PRISMA_DEFENDER_CACHE_DIR: input.cacheDir,
    PRISMACLOUDCOMPUTE_CONSOLE_URL: conn.url,
    PRISMACLOUDCOMPUTE_USERNAME: conn.username,
    PRISMACLOUDCOMPUTE_PASSWORD: conn.password,
    PRISMACLOUDCOMPUTE_CA_CERT: conn.caCertificate,
  });
  const pulumi = await import("@pulumi/pulumi");
  const aws = await import("@pulumi/aws");
  const { installMocks, details, settle } = await import("../../tests/helpers/pulumi");
  const shape = stackShape(input.functions, input.tasks, input.images);
  const codeDirs = writeCode(shape);
  const missing: string[] = [];
  const previews: DeploymentResult["previews"] = [];

  for (let round = 0; round < input.previews; round++) {
    if (round > 0 && input.marker) await ping(conn.url, conn.caCertificate);
    const mocks = installMocks({ preview: true });
    const started = process.hrtime.bigint();
    const outputs: import("@pulumi/pulumi").Output<unknown>[] = [];
    const role = "arn:aws:iam::123456789012:role/lambda";
    if (input.protect) {
      const { DefenderLayer } = await import("../../provider/components/defenderLayer");
      const { ProtectedLambda } = await import("../../provider/components/protectedLambda");
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
      outputs.push(...(await optional(missing, "ProtectedFargateTask", () => fargateTasks(shape))));
      outputs.push(...(await optional(missing, "EmbeddedDefenderImage", () => images(shape))));
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
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    await settle(50);
    previews.push({
      ms,
      resources: mocks.resources.length,
      workloads: mocks.children().filter((r) => WORKLOADS.has(r.type)).length,
    });
  }
  return { previews, missing };
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

/** One code directory per runtime, shared by that runtime's functions. */
function writeCode(shape: StackShape): Map<string, string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-code-"));
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

/** Build a part of the stack whose component may not have landed yet; record it as missing instead of failing. */
async function optional<T>(
  missing: string[],
  what: string,
  build: () => Promise<T[]>,
): Promise<T[]> {
  try {
    return await build();
  } catch (error) {
    const line = `${what}: ${(error as Error).message.split("\n")[0]}`;
    if (!missing.includes(line)) missing.push(line);
    return [];
  }
}

async function fargateTasks(
  _shape: StackShape,
): Promise<import("@pulumi/pulumi").Output<unknown>[]> {
  throw new Error("not wired yet");
}

async function images(_shape: StackShape): Promise<import("@pulumi/pulumi").Output<unknown>[]> {
  throw new Error("not wired yet");
}

runMain(main);
