// The deployment measured by benchmarks 3 and 4, as plain data: both our Pulumi program and the scripted
// baseline read it, so they protect exactly the same things.

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

const RUNTIMES = [
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

/** `functions` Lambdas spread round-robin over three runtimes, `tasks` task definitions, `images` Dockerfiles. */
export function stackShape(functions = 100, tasks = 10, images = 5): StackShape {
  return {
    functions: Array.from({ length: functions }, (_, i) => {
      const r = RUNTIMES[i % RUNTIMES.length];
      return { name: `fn-${String(i).padStart(3, "0")}`, ...r };
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

/** Lambda runtime families in the stack (one Defender layer each). */
export function familiesOf(shape: StackShape): string[] {
  return [...new Set(shape.functions.map((f) => f.family))];
}
