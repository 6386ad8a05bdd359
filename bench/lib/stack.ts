// The deployment measured by benchmarks 3 and 4, as plain data: both our Pulumi program and the scripted
// baseline read it, so they protect exactly the same things.
import { RUNTIMES as RUNTIMES_TABLE } from "../../provider/lambda/runtimes";

export interface StackFunction {
  name: string;
  /** Lambda runtime, such as `nodejs20.x`. */
  runtime: string;
  /** The family the Terraform example passes as the layer's `runtime` (`nodejs`, `python`, `ruby`). */
  family: string;
  handler: string;
  /** The handler file's name and content. */
  file: string;
  source: string;
  /**
   * `layer` (Node.js, Python, Ruby: one shared DefenderLayer per family) or `embedded` (Java, .NET: the Console
   * has no layer handler for them, so their code is merged with the serverless bundle, `codeAlreadyWrapped`).
   */
  mode: "layer" | "embedded";
}

export interface StackTask {
  family: string;
  containerDefinitions: Record<string, unknown>[];
}

export interface StackImage {
  name: string;
  appId: string;
  dockerfile: string;
}

export interface StackShape {
  functions: StackFunction[];
  tasks: StackTask[];
  images: StackImage[];
}

const RUNTIMES: Omit<StackFunction, "name" | "mode">[] = [
  {
    runtime: "nodejs20.x",
    family: "nodejs",
    handler: "index.handler",
    file: "index.js",
    source:
      "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });\n",
  },
  {
    runtime: "python3.12",
    family: "python",
    handler: "app.handler",
    file: "app.py",
    source: "def handler(event, context):\n    return {'statusCode': 200}\n",
  },
  {
    runtime: "ruby3.3",
    family: "ruby",
    handler: "function.handler",
    file: "function.rb",
    source: "def handler(event:, context:)\n  { statusCode: 200 }\nend\n",
  },
];

/** Code of the compiled families: what a build leaves in the function's archive (content is never run here). */
const COMPILED = {
  java: {
    handler: "example.Handler::handleRequest",
    file: "example/Handler.class",
    source: "\xca\xfe\xba\xbe bench placeholder class\n",
  },
  dotnet: {
    handler: "Bench::Bench.Function::Handler",
    file: "Bench.dll",
    source: "MZ bench placeholder assembly\n",
  },
};

/** Every runtime the Serverless Defender covers, in the runtime table's order (bench 7: every family). */
function allRuntimes(): Omit<StackFunction, "name" | "mode">[] {
  const byFamily = new Map(RUNTIMES.map((r) => [r.family, r]));
  return Object.values(RUNTIMES_TABLE)
    .filter((r) => r.family !== undefined && !r.unsupported)
    .map((r) => {
      const family = r.family!;
      const like = byFamily.get(family) ?? COMPILED[family as keyof typeof COMPILED];
      return { ...like, runtime: r.runtime, family };
    });
}

/**
 * `functions` Lambdas spread round-robin over three runtimes (nodejs20.x, python3.12, ruby3.3; or, with
 * `runtimes: "all"`, every runtime the Serverless Defender covers), `tasks` task definitions, `images` Dockerfiles.
 */
export function stackShape(
  functions = 100,
  tasks = 10,
  images = 5,
  runtimes: "three" | "all" = "three",
): StackShape {
  const list = runtimes === "all" ? allRuntimes() : RUNTIMES;
  const width = Math.max(3, String(functions - 1).length);
  return {
    functions: Array.from({ length: functions }, (_, i) => {
      const r = list[i % list.length];
      const mode = r.family === "java" || r.family === "dotnet" ? "embedded" : "layer";
      return { name: `fn-${String(i).padStart(width, "0")}`, ...r, mode };
    }),
    tasks: Array.from({ length: tasks }, (_, i) => ({
      family: `svc-${i}`,
      containerDefinitions: [
        {
          name: "app",
          image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/svc-${i}:1.0.${i}`,
          essential: true,
          entryPoint: ["/usr/local/bin/server"],
          command: ["--port", String(8080 + i)],
          portMappings: [{ containerPort: 8080 + i, protocol: "tcp" }],
        },
      ],
    })),
    images: Array.from({ length: images }, (_, i) => ({
      name: `img-${i}`,
      appId: `img-${i}`,
      dockerfile: `FROM busybox:1.36\nCOPY app-${i} /app\nENTRYPOINT ["/app/run", "--id", "${i}"]\n`,
    })),
  };
}

/** Lambda runtime families in the stack that use a layer (one Defender layer each). */
export function familiesOf(shape: StackShape): string[] {
  return [...new Set(shape.functions.filter((f) => f.mode === "layer").map((f) => f.family))];
}

/** The Console's `runtime` values of the serverless bundles the embedded functions need (one download each). */
export function bundleRuntimesOf(shape: StackShape): string[] {
  return [
    ...new Set(
      shape.functions
        .filter((f) => f.mode === "embedded")
        .map((f) => RUNTIMES_TABLE[f.runtime as keyof typeof RUNTIMES_TABLE].bundleRuntime!),
    ),
  ];
}
