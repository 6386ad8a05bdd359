// The examples' own resources, unprotected or with one piece of the Defender wiring removed at a time: each gives
// exactly the expected violation, naming the resource, what is missing and the fix.
import { startPolicyPack } from "../../scripts/demo/policyAnalyzer";
import type { RunningPack } from "../../scripts/demo/policyAnalyzer";
import type { ExampleResources, WireResource } from "../../scripts/demo/policyResources";
import {
  detach,
  edit,
  editContainers,
  examples,
  find,
  lines,
  reveal,
  secret,
  verdicts,
} from "./support";

let pack: RunningPack;
let runs: ExampleResources[];
const stack = (id: string) => runs.find((e) => e.id === id)!.resources;

beforeAll(async () => {
  [pack, runs] = await Promise.all([startPolicyPack(), examples()]);
}, 120_000);
afterAll(() => pack?.close());
afterEach(() => pack.configure({}));

const FN = "aws:lambda/function:Function";
/** The engine's marker for a value a preview does not know yet. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const LAMBDA_FIX =
  "Fix: declare it with ProtectedLambda (prisma-defender), or protect every function with protectStack().";
const TASK_FIX =
  "Fix: declare it with ProtectedFargateTask (prisma-defender) in place of aws.ecs.TaskDefinition, or protect every task with protectStack(), or, to accept it unprotected, tag it prisma-defender-exclude=<reason> (listed by defender-exclusions).";

/** The function's environment variables (secret in the examples), changed in place. */
const vars = (p: Record<string, any>, change: (v: Record<string, string>) => void) => {
  const v = { ...reveal(p.environment.variables) };
  change(v);
  p.environment.variables = secret(v);
};

describe("lambda-functions-protected", () => {
  const orders = () => find(stack("lambda"), FN, "orders");
  const check = async (change: (p: Record<string, any>) => void, extra = detach) =>
    lines(await verdicts(pack, edit(stack("lambda"), orders(), change, extra)));
  const expectOnly = (problem: string, fn = "orders") => [
    `lambda-functions-protected [mandatory]: ${FN} "${fn}" is not protected by the Serverless Defender: ${problem}. ${LAMBDA_FIX}`,
  ];

  test("a plain function (never protected): every piece is missing", async () => {
    expect(
      await check((p) => {
        p.handler = "index.handler";
        delete p.layers;
        p.environment = { variables: { TABLE_NAME: "orders" } };
      }),
    ).toEqual(
      expectOnly(
        'handler is "index.handler", not "twistlock.handler"; ORIGINAL_HANDLER is not set; TW_POLICY is not set; no Defender layer',
      ),
    );
  });

  test.each([
    [
      "the handler",
      (p: any) => (p.handler = "index.handler"),
      'handler is "index.handler", not "twistlock.handler"',
    ],
    [
      "ORIGINAL_HANDLER",
      (p: any) => vars(p, (v) => delete v.ORIGINAL_HANDLER),
      "ORIGINAL_HANDLER is not set",
    ],
    ["TW_POLICY", (p: any) => vars(p, (v) => delete v.TW_POLICY), "TW_POLICY is not set"],
    ["TW_POLICY's value", (p: any) => vars(p, (v) => (v.TW_POLICY = "")), "TW_POLICY is empty"],
    ["the Defender layer", (p: any) => delete p.layers, "no Defender layer"],
    [
      "the Defender layer's place (last)",
      (p: any) => p.layers.push("arn:aws:lambda:us-east-1:123456789012:layer:otel:3"),
      "the Defender layer is not the last layer (the last is arn:aws:lambda:us-east-1:123456789012:layer:otel:3)",
    ],
    [
      "the Defender layer, for another one",
      (p: any) => (p.layers = ["arn:aws:lambda:us-east-1:123456789012:layer:otel:3"]),
      "no Defender layer",
    ],
  ])("layer mode without %s", async (_what, change, problem) => {
    expect(await check(change)).toEqual(expectOnly(problem));
  });

  test("embedded mode without TW_POLICY", async () => {
    const reports = find(stack("lambda"), FN, "reports");
    const ds = await verdicts(
      pack,
      edit(stack("lambda"), reports, (p) => delete p.environment, detach),
    );
    expect(lines(ds)).toEqual([
      `lambda-functions-protected [mandatory]: ${FN} "reports" is not protected by the Serverless Defender (embedded): TW_POLICY is not set. ${LAMBDA_FIX}`,
    ]);
  });

  /** The verdicts on `orders` outside its ProtectedLambda, its layers unknown, depending only on `dependencies`. */
  const unknownLayers = (dependencies: string[]) =>
    verdicts(
      pack,
      edit(
        stack("lambda"),
        orders(),
        (p) => (p.layers = UNKNOWN),
        (r) => {
          detach(r);
          r.propertyDependencies = { layers: [] };
          r.dependencies = dependencies;
        },
      ),
    );

  test("in a preview, layers not known yet and not from a DefenderLayer cannot be verified", async () => {
    expect(lines(await unknownLayers([]))).toEqual(
      expectOnly("the layers are not known before deploy"),
    );
  });

  test("in a preview, a function protectStack rewrote passes when it depends on the DefenderLayer", async () => {
    // A stack transform's new layer cannot be traced to the `layers` property; its dependsOn names the layer.
    const layer = find(stack("lambda"), "prisma-defender:index:DefenderLayer", "node-defender");
    expect(lines(await unknownLayers([layer.urn]))).toEqual([]);
  });

  test("in a preview, unknown environment variables: ProtectedLambda's function passes, a plain one cannot be verified", async () => {
    const unknownEnv = (p: any) => (p.environment = { variables: secret(UNKNOWN) });
    expect(
      await verdicts(
        pack,
        edit(stack("lambda"), orders(), unknownEnv, () => {}),
      ),
    ).toEqual([]);
    expect(await check(unknownEnv)).toEqual(
      expectOnly("its environment variables are not known before deploy"),
    );
  });

  test("a container-image function is reported as unprotectable, not passed", async () => {
    expect(
      await check((p) => {
        p.packageType = "Image";
        p.imageUri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:1";
        delete p.code;
        delete p.runtime;
      }),
    ).toEqual([
      `lambda-functions-protected [mandatory]: ${FN} "orders" cannot be protected: it is a container-image function, and the Serverless Defender protects zip functions only. Fix: deploy it as a zip function with ProtectedLambda (prisma-defender), or, to accept it unprotected, tag it prisma-defender-exclude=<reason> (listed by defender-exclusions).`,
    ]);
  });

  test.each(["provided.al2023", "go1.x"])(
    "runtime %s is reported as unprotectable",
    async (runtime) => {
      expect(await check((p) => (p.runtime = runtime))).toEqual([
        `lambda-functions-protected [mandatory]: ${FN} "orders" cannot be protected: the Serverless Defender has no support for runtime ${runtime} (it covers Node.js, Python, Ruby, Java and .NET). Fix: move it to a supported runtime and declare it with ProtectedLambda (prisma-defender), or, to accept it unprotected, tag it prisma-defender-exclude=<reason> (listed by defender-exclusions).`,
      ]);
    },
  );
});

describe("fargate-tasks-protected", () => {
  const web = () => find(stack("fargate"), TASK, "web");
  const check = async (change: (containers: any[]) => void, id = "fargate", task = web) =>
    lines(
      await verdicts(
        pack,
        edit(stack(id), task(), (p) => editContainers(p, change), detach),
      ),
    );
  const expectOnly = (problem: string, fix = TASK_FIX, name = "web") => [
    `fargate-tasks-protected [mandatory]: ${TASK} "${name}" is not protected by the Defender: ${problem}. ${fix}`,
  ];
  const app = (cs: any[]) => cs.find((c) => c.name === "web");
  const sidecar = (cs: any[]) => cs.find((c) => c.name === "TwistlockDefender");

  test("the task as written before protection: every piece is missing", async () => {
    const ds = await check((cs) => {
      cs.splice(cs.indexOf(sidecar(cs)), 1);
      const c = app(cs);
      c.entryPoint = ["/docker-entrypoint.sh"];
      delete c.volumesFrom;
      delete c.dependsOn;
    });
    expect(ds).toEqual(
      expectOnly(
        "no TwistlockDefender sidecar container; container web: entryPoint is not wrapped by the Defender; container web: volumesFrom does not mount TwistlockDefender; container web: dependsOn does not start after TwistlockDefender",
      ),
    );
  });

  test.each([
    [
      "the sidecar",
      (cs: any[]) => cs.splice(cs.indexOf(sidecar(cs)), 1),
      "no TwistlockDefender sidecar container",
    ],
    [
      "the wrapped entrypoint",
      (cs: any[]) => (app(cs).entryPoint = app(cs).entryPoint.slice(3)),
      "container web: entryPoint is not wrapped by the Defender",
    ],
    [
      "volumesFrom",
      (cs: any[]) => delete app(cs).volumesFrom,
      "container web: volumesFrom does not mount TwistlockDefender",
    ],
    [
      "dependsOn",
      (cs: any[]) => delete app(cs).dependsOn,
      "container web: dependsOn does not start after TwistlockDefender",
    ],
    [
      "INSTALL_BUNDLE",
      (cs: any[]) => delete sidecar(cs).secrets,
      "container TwistlockDefender: INSTALL_BUNDLE is not set",
    ],
  ])("without %s", async (_what, change, problem) => {
    expect(await check(change)).toEqual(expectOnly(problem));
  });

  const bundleInEnvironment = (cs: any[]) => {
    const s = sidecar(cs);
    delete s.secrets;
    s.environment.push({ name: "INSTALL_BUNDLE", value: "eyJzZWNyZXRzIjp7fX0=" });
  };

  test("INSTALL_BUNDLE in the sidecar's plain environment: the placement and the plain credential", async () => {
    expect(await check(bundleInEnvironment)).toEqual([
      `defender-credentials-secret [mandatory]: ${TASK} "web" has INSTALL_BUNDLE as a plain (non-secret) value in containerDefinitions[1].environment[5]. Fix: take it from Secrets Manager through the container's \`secrets\` (ProtectedFargateTask does), or wrap the value in pulumi.secret().`,
      ...expectOnly(
        "container TwistlockDefender: INSTALL_BUNDLE is in plain environment, not secrets",
        "Fix: take INSTALL_BUNDLE from Secrets Manager through `secrets` (ProtectedFargateTask's default), or set allowInstallBundleInEnvironment.",
      ),
    ]);
  });

  test("allowInstallBundleInEnvironment accepts the Console's placement (the definition must then be secret)", async () => {
    await pack.configure({ "fargate-tasks-protected": { allowInstallBundleInEnvironment: true } });
    const task = web();
    const secretDefinition = edit(stack("fargate"), task, (p) => {
      editContainers(p, bundleInEnvironment);
      p.containerDefinitions = secret(p.containerDefinitions);
    });
    expect(lines(await verdicts(pack, secretDefinition))).toEqual([]);
  });

  test("in a preview, a hand-written task whose containers are not known yet cannot be verified", async () => {
    const ds = await verdicts(
      pack,
      edit(
        stack("fargate"),
        web(),
        (p) => (p.containerDefinitions = UNKNOWN),
        (r) => {
          detach(r);
          r.propertyDependencies = { containerDefinitions: [] };
        },
      ),
    );
    expect(lines(ds)).toEqual([
      `fargate-tasks-protected [mandatory]: ${TASK} "web" cannot be verified: its containerDefinitions are not known before deploy. Fix: declare it with ProtectedFargateTask (prisma-defender) in place of aws.ecs.TaskDefinition, or protect every task with protectStack().`,
    ]);
  });

  test("in a preview, a task protectStack built passes: it depends on the component holding its INSTALL_BUNDLE secret", async () => {
    const resources = stack("protect-stack");
    const task = find(resources, TASK, "web");
    expect(
      task.dependencies.some((u) => u.includes("prisma-defender:index:StackTaskProtection")),
    ).toBe(true);
    const unknownNow = edit(resources, task, (p) => (p.containerDefinitions = UNKNOWN));
    expect(lines(await verdicts(pack, unknownNow)).filter((l) => l.includes(`"web"`))).toEqual([]);
    // The same unknown definition without that dependency cannot be verified.
    const handWritten = edit(
      resources,
      task,
      (p) => (p.containerDefinitions = UNKNOWN),
      (r) => (r.dependencies = []),
    );
    expect(lines(await verdicts(pack, handWritten)).filter((l) => l.includes(`"web"`))).toEqual([
      expect.stringContaining(
        "cannot be verified: its containerDefinitions are not known before deploy",
      ),
    ]);
  });

  test("definitions that are not a JSON array are never passed", async () => {
    const ds = await verdicts(
      pack,
      edit(stack("fargate"), web(), (p) => (p.containerDefinitions = "web: nginx"), detach),
    );
    expect(lines(ds)).toEqual([
      `fargate-tasks-protected [mandatory]: ${TASK} "web" cannot be verified: its containerDefinitions are not a JSON array. Fix: declare it with ProtectedFargateTask (prisma-defender) in place of aws.ecs.TaskDefinition, or protect every task with protectStack().`,
    ]);
  });

  test("an App-Embedded task whose image is not the Defender-embedded one", async () => {
    const embedded = () => find(stack("embedded-image"), TASK, "orders-api");
    const ds = await check(
      (cs) => (cs[0].image = "public.ecr.aws/docker/library/node:22"),
      "embedded-image",
      embedded,
    );
    expect(ds).toEqual(
      expectOnly(
        "no TwistlockDefender sidecar container; container orders-api: entryPoint is not wrapped by the Defender; container orders-api: volumesFrom does not mount TwistlockDefender; container orders-api: dependsOn does not start after TwistlockDefender",
        TASK_FIX,
        "orders-api",
      ),
    );
  });
});

describe("azure-function-apps-protected", () => {
  const APP = "azure-native:web:WebApp";
  const app = () => find(stack("azure-function"), APP, "orders");
  const settings = (change: (s: { name: string; value: string }[]) => void) => (p: any) => {
    const site = { ...reveal(p.siteConfig) };
    site.appSettings = [...site.appSettings];
    change(site.appSettings);
    p.siteConfig = secret(site);
  };
  const check = async (change: (p: any) => void, extra: (r: WireResource) => void = detach) =>
    lines(await verdicts(pack, edit(stack("azure-function"), app(), change, extra)));
  const FIX =
    "Fix: declare it with ProtectedAzureFunction (prisma-defender), or protect every app with protectStack().";

  test("without the TW_POLICY app setting", async () => {
    expect(
      await check(
        settings((s) =>
          s.splice(
            s.findIndex((x) => x.name === "TW_POLICY"),
            1,
          ),
        ),
      ),
    ).toEqual([
      `azure-function-apps-protected [mandatory]: ${APP} "orders" is not protected by the Serverless Defender: the TW_POLICY app setting is not set. ${FIX}`,
    ]);
  });

  test("with an empty TW_POLICY", async () => {
    expect(
      await check(settings((s) => (s.find((x) => x.name === "TW_POLICY")!.value = ""))),
    ).toEqual([
      `azure-function-apps-protected [mandatory]: ${APP} "orders" is not protected by the Serverless Defender: the TW_POLICY app setting is empty. ${FIX}`,
    ]);
  });

  test("a Linux .NET function app is reported as unprotectable", async () => {
    expect(await check((p) => ((p.reserved = true), (p.kind = "functionapp,linux")))).toEqual([
      `azure-function-apps-protected [mandatory]: ${APP} "orders" cannot be protected: the Serverless Defender for Azure Functions runs in Windows function apps only. Fix: run it on a Windows plan and declare it with ProtectedAzureFunction (prisma-defender), or, to accept it unprotected, tag it prisma-defender-exclude=<reason> (listed by defender-exclusions).`,
    ]);
  });

  test("azure (classic) WindowsFunctionApp and a separate WebAppApplicationSettings resource", async () => {
    const urn = (t: string, n: string) => `urn:pulumi:demo::manual::${t}::${n}`;
    const classic = (appSettings: Record<string, unknown>): WireResource => ({
      urn: urn("azure:appservice/windowsFunctionApp:WindowsFunctionApp", "billing"),
      type: "azure:appservice/windowsFunctionApp:WindowsFunctionApp",
      name: "billing",
      custom: true,
      inputs: {},
      outputs: {
        name: "billing-app",
        siteConfig: { applicationStack: { dotnetVersion: "v8.0" } },
        appSettings,
      },
      propertyDependencies: {},
      dependencies: [],
    });
    expect(lines(await pack.analyzeStack([classic({ ORDERS: "1" })]))).toEqual([
      `azure-function-apps-protected [mandatory]: azure:appservice/windowsFunctionApp:WindowsFunctionApp "billing" is not protected by the Serverless Defender: the TW_POLICY app setting is not set. ${FIX}`,
    ]);
    expect(await pack.analyzeStack([classic({ TW_POLICY: secret("eyJydWxlcyI6W119") })])).toEqual(
      [],
    );
    // The app's own settings lack TW_POLICY, a WebAppApplicationSettings resource for the same app sets it.
    const separate: WireResource = {
      urn: urn("azure-native:web:WebAppApplicationSettings", "orders-settings"),
      type: "azure-native:web:WebAppApplicationSettings",
      name: "orders-settings",
      custom: true,
      inputs: {},
      outputs: {
        name: reveal(find(stack("azure-function"), APP, "orders").outputs.name),
        resourceGroupName: "functions",
        properties: { TW_POLICY: secret("eyJydWxlcyI6W119") },
      },
      propertyDependencies: {},
      dependencies: [],
    };
    const noSetting = edit(
      stack("azure-function"),
      app(),
      settings((s) =>
        s.splice(
          s.findIndex((x) => x.name === "TW_POLICY"),
          1,
        ),
      ),
      detach,
    );
    expect(await pack.analyzeStack([...noSetting, separate])).toEqual([]);
  });

  test("in a preview, unknown app settings: ProtectedAzureFunction's app passes, a plain one cannot be verified", async () => {
    const unknown = (p: any) => (p.siteConfig = secret(UNKNOWN));
    expect(
      await verdicts(
        pack,
        edit(stack("azure-function"), app(), unknown, () => {}),
      ),
    ).toEqual([]);
    expect(await check(unknown)).toEqual([
      `azure-function-apps-protected [mandatory]: ${APP} "orders" cannot be verified: its app settings are not known before deploy. ${FIX}`,
    ]);
  });

  test("a Node.js function app is not a .NET one: not checked", async () => {
    expect(
      await check(
        settings((s) => {
          s.splice(
            s.findIndex((x) => x.name === "TW_POLICY"),
            1,
          );
          s.find((x) => x.name === "FUNCTIONS_WORKER_RUNTIME")!.value = "node";
        }),
      ),
    ).toEqual([]);
  });
});
