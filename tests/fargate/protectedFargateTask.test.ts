// ProtectedFargateTask under Pulumi mocks, against the real Console simulator (over HTTPS, with its own CA): what it
// registers, how INSTALL_BUNDLE is kept, that two runs agree, and that bad input fails before any request.
import * as pulumi from "@pulumi/pulumi";
import {
  captureDeployErrors,
  details,
  installMocks,
  isSecretInput,
  plaintextSecretsIn,
  registrationsDone,
  unwrapInput,
} from "../helpers/pulumi";
import { forgetConsoles } from "../../provider/core/console/client";
import { ProtectedFargateTask } from "../../provider/fargate/protectedFargateTask";
import { InstallBundleDelivery } from "../../provider/fargate/protectedFargateTaskArgs";
import { CONTAINERS, LOG_ROUTER, WEB, useSimulator } from "./support";

const TD = "aws:ecs/taskDefinition:TaskDefinition";
// Auto-named physical names are computed by the engine; the mocks give each resource its own.
const mocks = installMocks({
  state: (a) => (a.type === "aws:iam/role:Role" ? { name: `${a.name}-1a2b3c` } : undefined),
});
const env = useSimulator();
beforeEach(() => mocks.reset());

function task(name = "app", extra: Record<string, unknown> = {}) {
  return new ProtectedFargateTask(name, {
    console: env.console(),
    family: "app",
    cpu: "256",
    memory: "512",
    containerDefinitions: CONTAINERS,
    ...extra,
  });
}

async function registered(t: ProtectedFargateTask) {
  await details(t.arn);
  await registrationsDone();
  const [td] = mocks.children(TD);
  return td;
}

const OUTPUTS = [
  "arn",
  "family",
  "revision",
  "defenderImage",
  "defenderVersion",
  "consoleAddress",
  "protectedContainers",
  "wrappedEntrypoints",
  "installBundleSecretArn",
  "executionRoleArn",
] as const;

async function outputsOf(t: ProtectedFargateTask) {
  const out: Record<string, { value: unknown; known: boolean; secret: boolean }> = {};
  for (const key of OUTPUTS) out[key] = await details(t[key] as pulumi.Output<unknown>);
  return out;
}

describe("ProtectedFargateTask", () => {
  it("registers the Console's protected definition, readable, with INSTALL_BUNDLE read from the secret", async () => {
    const t = task();
    const td = await registered(t);
    const secret = mocks.children("aws:secretsmanager/secret:Secret")[0];
    const secretArn = `arn:aws:secretsmanager:us-east-1:123456789012:secretsmanager/${secret.name}`;

    expect(td.name).toBe("app");
    expect(isSecretInput(td.inputs.containerDefinitions)).toBe(false);
    const containers = JSON.parse(td.inputs.containerDefinitions);
    expect(containers.map((c: any) => c.name)).toEqual(["web", "log_router", "TwistlockDefender"]);
    const [web, log, sidecar] = containers;
    expect(web.entryPoint).toEqual([
      "/var/lib/twistlock/fargate/defender",
      "fargate",
      "entrypoint",
      ...WEB.entryPoint,
    ]);
    expect(web.command).toEqual(WEB.command);
    expect(web.environment).toContainEqual({ name: "MODE", value: "production" });
    expect(log.entryPoint).toEqual([
      "/var/lib/twistlock/fargate/defender",
      "fargate",
      "entrypoint",
      ...LOG_ROUTER.entryPoint,
    ]);
    expect(sidecar.secrets).toEqual([{ name: "INSTALL_BUNDLE", valueFrom: secretArn }]);
    expect(sidecar.environment.map((e: any) => e.name)).not.toContain("INSTALL_BUNDLE");
    expect(sidecar).not.toHaveProperty("logConfiguration");
    expect(td.inputs).toMatchObject({
      family: "app",
      cpu: "256",
      memory: "512",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      executionRoleArn: "arn:aws:iam:us-east-1:123456789012:iam/app-execution",
    });

    // One protect call, with the Console's own SAN as the address Defenders connect to.
    const calls = env.sim().requestsTo("defenders/fargate.json");
    expect(calls.map((r) => r.query)).toEqual([
      { consoleaddr: "127.0.0.1", defenderType: "appEmbedded" },
    ]);

    const out = await outputsOf(t);
    for (const key of OUTPUTS) expect([key, out[key].secret]).toEqual([key, false]);
    expect(out.defenderVersion.value).toBe("34.04.145");
    expect(out.defenderImage.value).toBe(sidecar.image);
    expect(out.consoleAddress.value).toBe("127.0.0.1");
    expect(out.protectedContainers.value).toEqual(["web", "log_router"]);
    expect(out.wrappedEntrypoints.value).toEqual({
      web: web.entryPoint,
      log_router: log.entryPoint,
    });
    expect(out.installBundleSecretArn.value).toBe(secretArn);
    expect(out.arn.value).toBe("arn:aws:ecs:us-east-1:123456789012:task-definition/app:1");
  });

  it("keeps INSTALL_BUNDLE in the secret, and lets the created execution role read exactly that secret", async () => {
    await registered(task());
    const bundle = env.sim().secrets.installBundle;
    const [secret] = mocks.children("aws:secretsmanager/secret:Secret");
    const [version] = mocks.children("aws:secretsmanager/secretVersion:SecretVersion");
    const [role] = mocks.children("aws:iam/role:Role");
    const [attachment] = mocks.children("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    const [policy] = mocks.children("aws:iam/rolePolicy:RolePolicy");

    expect(secret.name).toBe("app-install-bundle");
    expect(isSecretInput(version.inputs.secretString)).toBe(true);
    expect(unwrapInput(version.inputs.secretString)).toBe(bundle);
    expect(version.inputs.secretId).toBe("app-install-bundle-id");
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ]);
    expect(attachment.inputs).toEqual({
      role: "app-execution-1a2b3c",
      policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    });
    expect(policy.inputs.role).toBe("app-execution-1a2b3c");
    expect(JSON.parse(policy.inputs.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource:
            "arn:aws:secretsmanager:us-east-1:123456789012:secretsmanager/app-install-bundle",
        },
      ],
    });
    // The task definition waits for the secret's value and the permission: a service never starts it without them.
    expect(mocks.resources.map((r) => r.type).indexOf(TD)).toBe(mocks.resources.length - 1);
  });

  it("adds the read permission to a given execution role instead of creating one", async () => {
    const t = task("given", {
      executionRoleArn: "arn:aws:iam::123456789012:role/service-role/ecsTaskExecutionRole",
      defenderImagePullSecret: "arn:aws:secretsmanager:us-east-1:123456789012:secret:pull-AbCdEf",
      installBundleKmsKeyArn:
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    const td = await registered(t);
    expect(mocks.children("aws:iam/role:Role")).toEqual([]);
    expect(td.inputs.executionRoleArn).toBe(
      "arn:aws:iam::123456789012:role/service-role/ecsTaskExecutionRole",
    );
    const [policy] = mocks.children("aws:iam/rolePolicy:RolePolicy");
    expect(policy.inputs.role).toBe("ecsTaskExecutionRole");
    expect(JSON.parse(policy.inputs.policy).Statement).toEqual([
      {
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [
          "arn:aws:secretsmanager:us-east-1:123456789012:secretsmanager/given-install-bundle",
          "arn:aws:secretsmanager:us-east-1:123456789012:secret:pull-AbCdEf",
        ],
      },
      {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      },
    ]);
    expect(mocks.children("aws:secretsmanager/secret:Secret")[0].inputs.kmsKeyId).toBe(
      "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
  });

  it("with Environment delivery, keeps INSTALL_BUNDLE in the sidecar's environment and the definition secret", async () => {
    const t = task("plain", { installBundleDelivery: InstallBundleDelivery.Environment });
    const td = await registered(t);
    expect(mocks.children("aws:secretsmanager/secret:Secret")).toEqual([]);
    expect(mocks.children("aws:iam/role:Role")).toEqual([]);
    expect(isSecretInput(td.inputs.containerDefinitions)).toBe(true);
    const sidecar = JSON.parse(unwrapInput(td.inputs.containerDefinitions)).pop();
    expect(sidecar.environment).toContainEqual({
      name: "INSTALL_BUNDLE",
      value: env.sim().secrets.installBundle,
    });
    expect(sidecar).not.toHaveProperty("secrets");
    expect(await details(t.installBundleSecretArn)).toEqual({
      value: undefined,
      known: true,
      secret: false,
    });
    expect((await details(t.protectedContainers)).secret).toBe(false);
  });

  it.each([InstallBundleDelivery.SecretsManager, InstallBundleDelivery.Environment])(
    "puts INSTALL_BUNDLE in plaintext nowhere in registered inputs or outputs (%s)",
    async (delivery) => {
      const t = task("leak", { installBundleDelivery: delivery });
      await registered(t);
      const sim = env.sim();
      const needles = [sim.secrets.installBundle, sim.secrets.marker, sim.credentials.password];
      expect(plaintextSecretsIn(mocks.resources, needles)).toEqual([]);
      const out = await outputsOf(t);
      const plainOutputs = JSON.stringify(
        Object.values(out)
          .filter((o) => !o.secret)
          .map((o) => o.value),
      );
      for (const needle of needles) expect(plainOutputs).not.toContain(needle);
    },
  );

  it("gives identical child inputs on two runs, each asking the Console afresh", async () => {
    const runs: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      mocks.reset();
      forgetConsoles();
      await registered(task());
      runs.push(mocks.children().map((r) => ({ type: r.type, name: r.name, inputs: r.inputs })));
    }
    expect(env.sim().requestsTo("defenders/fargate.json")).toHaveLength(2);
    expect(runs[1]).toEqual(runs[0]);
  });

  it("accepts a pasted describe-task-definition output and registers its task-level fields", async () => {
    const described = JSON.stringify({
      taskDefinition: {
        taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/pasted:7",
        family: "pasted",
        revision: 7,
        status: "ACTIVE",
        cpu: "512",
        memory: "1024",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        compatibilities: ["EC2", "FARGATE"],
        executionRoleArn: "arn:aws:iam::123456789012:role/pasted-exec",
        taskRoleArn: "arn:aws:iam::123456789012:role/pasted-task",
        volumes: [{ name: "scratch", host: {} }],
        containerDefinitions: [WEB],
        registeredAt: "2024-05-01T10:00:00.000Z",
        registeredBy: "arn:aws:iam::123456789012:user/ops",
      },
      tags: [{ key: "team", value: "payments" }],
    });
    const t = new ProtectedFargateTask("pasted", {
      console: env.console(),
      containerDefinitions: described,
    });
    const td = await registered(t);
    expect(mocks.children("aws:iam/role:Role")).toEqual([]);
    expect(td.inputs).toMatchObject({
      family: "pasted",
      cpu: "512",
      memory: "1024",
      executionRoleArn: "arn:aws:iam::123456789012:role/pasted-exec",
      taskRoleArn: "arn:aws:iam::123456789012:role/pasted-task",
      volumes: [{ name: "scratch" }],
      tags: { team: "payments" },
    });
    expect(mocks.children("aws:iam/rolePolicy:RolePolicy")[0].inputs.role).toBe("pasted-exec");
  });

  it.each([
    ["plain", (v: string) => v],
    ["an Output", (v: string) => pulumi.output(v)],
  ])(
    "a task-level field given as an arg (%s) and in the pasted definition: equal registers, different fails",
    async (_kind, wrap) => {
      const described = (taskRoleArn: string) =>
        JSON.stringify({
          family: "pasted",
          cpu: "256",
          memory: "512",
          taskRoleArn,
          containerDefinitions: [WEB],
        });
      const role = "arn:aws:iam::123456789012:role/task";
      const same = new ProtectedFargateTask("same", {
        console: env.console(),
        containerDefinitions: described(role),
        taskRoleArn: wrap(role),
      });
      expect((await registered(same)).inputs.taskRoleArn).toBe(role);
      const errors = await captureDeployErrors(
        () =>
          new ProtectedFargateTask("other", {
            console: env.console(),
            containerDefinitions: described(`${role}-other`),
            taskRoleArn: wrap(role),
          }).arn,
      );
      expect(errors).toEqual([
        expect.stringMatching(/ProtectedFargateTask other: taskRoleArn: .*is given twice/),
      ]);
    },
  );

  it("keeps every output secret when the user's containerDefinitions is a secret", async () => {
    const t = task("secretive", { containerDefinitions: pulumi.secret(CONTAINERS) });
    const td = await registered(t);
    expect(isSecretInput(td.inputs.containerDefinitions)).toBe(true);
    expect((await details(t.protectedContainers)).secret).toBe(true);
    expect((await details(t.wrappedEntrypoints)).secret).toBe(true);
  });
});

describe("ProtectedFargateTask preflight: bad input fails before any request", () => {
  it("throws in the constructor for a plain definition, naming the containers and both fixes", () => {
    const noEntry = JSON.stringify([{ name: "app", image: "httpd:2.4" }]);
    expect(() => task("bad", { containerDefinitions: noEntry })).toThrow(
      /^ProtectedFargateTask bad: containerDefinitions: the task definition cannot be protected as given: container "app" has no `entryPoint`.*add `entryPoint`.*set `extractEntrypoint: true`/s,
    );
    expect(env.sim().requests).toEqual([]);
    expect(mocks.children()).toEqual([]);
  });

  it("names every missing Console setting and where it can be set", () => {
    expect(Object.keys(process.env).filter((k) => k.startsWith("PRISMACLOUDCOMPUTE_"))).toEqual([]);
    expect(
      () =>
        new ProtectedFargateTask("nowhere", {
          family: "app",
          cpu: "256",
          memory: "512",
          containerDefinitions: CONTAINERS,
        }),
    ).toThrow(
      /^ProtectedFargateTask nowhere: console: no Console URL: set the `url` arg, stack config `prisma-defender:consoleUrl`/s,
    );
    expect(env.sim().requests).toEqual([]);
  });

  it.each([
    [
      "invalid JSON",
      { containerDefinitions: "[{" },
      /^ProtectedFargateTask bad: containerDefinitions: cannot be read: it is not valid JSON/,
    ],
    ["no family", { family: undefined }, /no `family`: set the `family` arg/],
    ["EC2 only", { requiresCompatibilities: ["EC2"] }, /`requiresCompatibilities` is \["EC2"\]/],
    [
      "bridge networking",
      { networkMode: "bridge" },
      /`networkMode` is "bridge": Fargate tasks use "awsvpc"/,
    ],
    [
      "already protected",
      { containerDefinitions: JSON.stringify([WEB, { name: "TwistlockDefender", image: "d" }]) },
      /is already protected/,
    ],
    [
      "registry without extraction",
      { registryType: "aws" },
      /`registryType` is only used to look up image entrypoints/,
    ],
    [
      "a URL as console address",
      { consoleAddress: "https://console.example.com" },
      /`consoleAddress` must be a host name/,
    ],
    [
      "unknown delivery",
      { installBundleDelivery: "s3" },
      /^ProtectedFargateTask bad: installBundleDelivery: must be "secretsManager" or "environment"/,
    ],
    [
      "KMS key without the secret",
      {
        installBundleDelivery: InstallBundleDelivery.Environment,
        installBundleKmsKeyArn: "arn:aws:kms:x",
      },
      /^ProtectedFargateTask bad: installBundleKmsKeyArn: encrypts the INSTALL_BUNDLE secret/,
    ],
  ])("%s", (_label, extra, message) => {
    expect(() => task("bad", extra)).toThrow(message);
    expect(env.sim().requests).toEqual([]);
  });

  it("reports a definition that is only known later when it resolves, still before any request", async () => {
    const late = pulumi.output(
      Promise.resolve(JSON.stringify([{ name: "app", image: "httpd:2.4" }])),
    );
    let t: ProtectedFargateTask | undefined;
    const errors = await captureDeployErrors(() => {
      t = task("late", { containerDefinitions: late });
      return t.arn;
    });
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors)
      expect(e).toMatch(
        /ProtectedFargateTask late: containerDefinitions: .*container "app" has no `entryPoint`/s,
      );
    expect(env.sim().requestsTo("defenders/fargate.json")).toEqual([]);
    expect(mocks.children(TD)).toEqual([]);
  });
});
