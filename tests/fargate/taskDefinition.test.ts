// The pure task-definition functions, case by case: reading the input, preflight, checking the Console's answer,
// normal form and the INSTALL_BUNDLE move. The golden cases (golden.test.ts) cover whole real definitions.
import {
  FargateTaskError,
  documentTaskArgs,
  parseContainerDefinitions,
  pruneEmpty,
} from "../../provider/fargate/taskDefinition";
import {
  buildConsoleRequest,
  defenderOptionProblems,
} from "../../provider/fargate/taskDefinitionRequest";
import {
  checkProtectedTaskDefinition,
  defenderVersionOf,
  normalizeContainer,
  serializeContainers,
  withInstallBundleEnvironment,
  withInstallBundleSecret,
} from "../../provider/fargate/taskDefinitionCheck";
import { installBundleReadPolicy, roleNameFromArn } from "../../provider/fargate/taskDefinitionIam";
import { protectTaskDefinition } from "../../provider/simulator/fargate";

const TASK = { family: "web", cpu: "256", memory: "512" };
const web = {
  name: "web",
  image: "nginx:1.27",
  entryPoint: ["/docker-entrypoint.sh"],
  command: ["nginx"],
};

function errorOf(fn: () => unknown): FargateTaskError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FargateTaskError);
    return e as FargateTaskError;
  }
  throw new Error("expected a FargateTaskError");
}

function protect(request: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return protectTaskDefinition(
    structuredClone(request),
    {
      consoleAddress: "console.example.com",
      filesystemMonitoring: false,
      extractEntrypoint: false,
      defenderImage: "registry-auth.twistlock.com/tw_abc/twistlock/defender:defender_34_04_145",
      installBundle: "BUNDLE-VALUE-123",
      wsAddress: "wss://console.example.com:8084",
      entrypointBinary: "/var/lib/twistlock/fargate/defender",
      images: {},
      ...extra,
    },
    false,
  );
}

describe("parseContainerDefinitions", () => {
  it("names the field and the fix for invalid JSON", () => {
    const e = errorOf(() => parseContainerDefinitions("[{name: web}]"));
    expect(e.message).toMatch(/^containerDefinitions: cannot be read/);
    expect(e.message).toContain("not valid JSON");
    expect(e.message).toContain("JSON.stringify");
  });

  it("does not quote the text around a syntax error (it may be a secret value)", () => {
    const text = '[{"name":"web","environment":[{"name":"DB_PASSWORD","value":hunter22}]}]';
    const e = errorOf(() => parseContainerDefinitions(text));
    expect(e.message).toContain("not valid JSON");
    expect(e.message).not.toContain("hunter22");
  });

  it("reads a bare array, a whole definition and describe output alike", () => {
    const array = parseContainerDefinitions(JSON.stringify([web]));
    const whole = parseContainerDefinitions(
      JSON.stringify({ ...TASK, containerDefinitions: [web] }),
    );
    const described = parseContainerDefinitions(
      JSON.stringify({
        taskDefinition: {
          ...TASK,
          containerDefinitions: [web],
          taskDefinitionArn: "arn:aws:ecs:us-east-1:1:task-definition/web:3",
          revision: 3,
          status: "ACTIVE",
          requiresAttributes: [{ name: "ecs.capability.task-eni" }],
          compatibilities: ["EC2", "FARGATE"],
          registeredAt: "2024-01-01T00:00:00Z",
          registeredBy: "arn:aws:iam::1:user/x",
          deregisteredAt: "2024-02-01T00:00:00Z",
        },
        tags: [{ key: "team", value: "payments" }],
      }),
    );
    expect(array).toEqual({ task: {}, containers: [web] });
    expect(whole).toEqual({ task: TASK, containers: [web] });
    expect(described).toEqual({
      task: { ...TASK, tags: [{ key: "team", value: "payments" }] },
      containers: [web],
    });
  });

  it("drops empty entryPoint/command (an empty list would be wrapped as no program) and other empties", () => {
    const doc = parseContainerDefinitions(
      JSON.stringify([
        { ...web, entryPoint: [], command: [""], logConfiguration: {}, links: null, user: "" },
      ]),
    );
    expect(doc.containers[0]).toEqual({ name: "web", image: "nginx:1.27" });
  });

  it("keeps an environment variable whose value is empty, and free-form map keys as written", () => {
    const container = {
      ...web,
      environment: [{ Name: "EMPTY", Value: "" }],
      logConfiguration: {
        LogDriver: "awsfirelens",
        Options: { Name: "cloudwatch", "awslogs-group": "g" },
      },
    };
    const doc = parseContainerDefinitions(JSON.stringify([container]));
    expect(doc.containers[0].environment).toEqual([{ name: "EMPTY", value: "" }]);
    expect(doc.containers[0].logConfiguration).toEqual({
      logDriver: "awsfirelens",
      options: { Name: "cloudwatch", "awslogs-group": "g" },
    });
  });

  it("lists every problem at once: not an object, no name, no image, a string entryPoint, two spellings", () => {
    const e = errorOf(() =>
      parseContainerDefinitions(
        JSON.stringify([
          5,
          { image: "a" },
          { name: "b", entryPoint: "sh -c" },
          { name: "c", Name: "d", image: "x" },
        ]),
      ),
    );
    expect(e.details).toEqual([
      "containerDefinitions[3] has both `name` and another spelling of it (`Name`): keep one",
      "containerDefinitions[0] is not an object",
      "containerDefinitions[1] has no `name`: every container needs one",
      '`entryPoint` of container "b" must be an array of strings, such as ["sh", "-c"] (got "sh -c")',
      'container "b" has no `image`: every container needs one',
    ]);
  });

  it("refuses an object without containerDefinitions and an empty list", () => {
    expect(errorOf(() => parseContainerDefinitions('{"family":"x"}')).details[0]).toContain(
      "must be a JSON array of container definitions",
    );
    expect(errorOf(() => parseContainerDefinitions("[]")).details).toEqual([
      "`containerDefinitions` has no containers",
    ]);
  });
});

describe("buildConsoleRequest (preflight)", () => {
  const doc = (containers: object[], task: object = {}) =>
    parseContainerDefinitions(JSON.stringify({ ...task, containerDefinitions: containers }));

  it("sends the containers and the task fields the transform may use, with Fargate defaults", () => {
    expect(buildConsoleRequest(doc([web]), TASK, {})).toEqual({
      family: "web",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      containerDefinitions: [web],
    });
  });

  it("never sends roles, volumes or tags from a pasted definition; they go to the child", () => {
    const d = doc([web], {
      ...TASK,
      executionRoleArn: "arn:aws:iam::1:role/exec",
      volumes: [{ name: "data", host: { sourcePath: "/data" } }],
      tags: [{ key: "team", value: "payments" }],
      proxyConfiguration: {
        type: "APPMESH",
        containerName: "envoy",
        properties: [{ name: "AppPorts", value: "80" }],
      },
      ephemeralStorage: { sizeInGiB: 30 },
    });
    const request = buildConsoleRequest(d, {}, {});
    expect(Object.keys(request).sort()).toEqual(
      [
        "containerDefinitions",
        "cpu",
        "family",
        "memory",
        "networkMode",
        "requiresCompatibilities",
      ].sort(),
    );
    expect(documentTaskArgs(d.task)).toEqual({
      executionRoleArn: "arn:aws:iam::1:role/exec",
      volumes: [{ name: "data", hostPath: "/data" }],
      tags: { team: "payments" },
      proxyConfiguration: {
        type: "APPMESH",
        containerName: "envoy",
        properties: { AppPorts: "80" },
      },
      ephemeralStorage: { sizeInGib: 30 },
    });
  });

  it("refuses a field of the pasted definition that aws.ecs.TaskDefinition cannot register", () => {
    const d = doc([web], {
      ...TASK,
      inferenceAccelerators: [{ deviceName: "a", deviceType: "eia2.medium" }],
    });
    expect(errorOf(() => documentTaskArgs(d.task)).details).toEqual([
      "`inferenceAccelerators` is not a field aws.ecs.TaskDefinition can register: remove it",
    ]);
  });

  it("refuses a value given both as arg and in the document when they differ, accepts equal ones", () => {
    const d = doc([web], TASK);
    expect(buildConsoleRequest(d, { cpu: "256" }, {}).cpu).toBe("256");
    expect(errorOf(() => buildConsoleRequest(d, { cpu: "1024" }, {})).details).toEqual([
      '`cpu` is given twice, as the arg ("1024") and in the task definition in `containerDefinitions` ("256"): remove one',
    ]);
  });

  it("names every Fargate problem: family, compatibilities, network mode, cpu and memory", () => {
    const e = errorOf(() =>
      buildConsoleRequest(
        doc([web]),
        { requiresCompatibilities: ["EC2"], networkMode: "bridge" },
        {},
      ),
    );
    expect(e.details).toHaveLength(5);
    expect(e.details[0]).toContain("no `family`");
    expect(e.details[1]).toContain('`requiresCompatibilities` is ["EC2"]');
    expect(e.details[2]).toContain('`networkMode` is "bridge": Fargate tasks use "awsvpc"');
    expect(e.details[3]).toContain("no task-level `cpu`");
    expect(e.details[4]).toContain("no task-level `memory`");
    expect(
      errorOf(() => buildConsoleRequest(doc([web]), { ...TASK, family: "my app" }, {})).details[0],
    ).toContain("`family` must be 1-255 letters, digits, hyphens and underscores");
  });

  it("enforces the entrypoint rule unless extractEntrypoint is on", () => {
    const noEntry = [
      { name: "app", image: "httpd" },
      web,
      { name: "log", image: "fluent-bit", command: ["x"] },
    ];
    const e = errorOf(() => buildConsoleRequest(doc(noEntry), TASK, {}));
    expect(e.details).toHaveLength(1);
    expect(e.details[0]).toMatch(/^containers "app" and "log" have no `entryPoint`/);
    expect(e.details[0]).toContain('["sh", "-c"]');
    expect(e.details[0]).toContain("`extractEntrypoint: true`");
    expect(() =>
      buildConsoleRequest(doc(noEntry), TASK, { extractEntrypoint: true }),
    ).not.toThrow();
  });

  it("refuses an already protected definition, whatever the sign", () => {
    const signs = [
      [web, { name: "TwistlockDefender", image: "d" }],
      [
        {
          ...web,
          entryPoint: ["/var/lib/twistlock/fargate/defender", "fargate", "entrypoint", "x"],
        },
      ],
      [{ ...web, entryPoint: ["/twistlock/fargate_defender.sh", "fargate", "entrypoint", "x"] }],
      [{ ...web, environment: [{ name: "INSTALL_BUNDLE", value: "x" }] }],
    ];
    for (const containers of signs) {
      const e = errorOf(() => buildConsoleRequest(doc(containers), TASK, {}));
      expect(e.details[0]).toMatch(
        /^`containerDefinitions` is already protected \(.+\): pass the original/,
      );
    }
  });

  it("refuses duplicate container names", () => {
    expect(errorOf(() => buildConsoleRequest(doc([web, web]), TASK, {})).details).toEqual([
      'container name "web" is used by 2 containers: names must be unique',
    ]);
  });

  it("checks the Defender options", () => {
    expect(defenderOptionProblems({ registryType: "aws", registryCredentialId: "c" })).toHaveLength(
      2,
    );
    expect(defenderOptionProblems({ extractEntrypoint: true, registryType: "aws" })).toEqual([]);
    expect(defenderOptionProblems({ consoleAddress: "https://console.example.com" })[0]).toContain(
      "must be a host name",
    );
    expect(defenderOptionProblems({ consoleAddress: "console.example.com" })).toEqual([]);
    expect(defenderOptionProblems({ defenderImage: "a b" })[0]).toContain("`defenderImage`");
  });
});

describe("checkProtectedTaskDefinition (fail closed)", () => {
  const request = buildConsoleRequest(
    parseContainerDefinitions(
      JSON.stringify([web, { name: "log", image: "fluent-bit", entryPoint: ["/fb"] }]),
    ),
    TASK,
    {},
  );
  const good = () => protect(request) as any;
  const problemsOf = (answer: unknown, options = {}) =>
    errorOf(() => checkProtectedTaskDefinition(answer, request, options)).details;

  it("accepts the Console's answer and reports what a reviewer needs", () => {
    const checked = checkProtectedTaskDefinition(good(), request, {});
    expect(checked.protectedContainers).toEqual(["web", "log"]);
    expect(checked.wrappedEntrypoints).toEqual({
      web: [
        "/var/lib/twistlock/fargate/defender",
        "fargate",
        "entrypoint",
        "/docker-entrypoint.sh",
      ],
      log: ["/var/lib/twistlock/fargate/defender", "fargate", "entrypoint", "/fb"],
    });
    expect(checked.defenderVersion).toBe("34.04.145");
    expect(checked.installBundle).toBe("BUNDLE-VALUE-123");
    expect(checked.installBundleContainers).toEqual(["TwistlockDefender"]);
    expect(JSON.stringify(checked.containers)).not.toContain("BUNDLE-VALUE-123");
    // The Console's empty logConfiguration is gone (ECS refuses it).
    expect(checked.containers[2]).not.toHaveProperty("logConfiguration");
  });

  it("accepts the entrypoint paths of older Consoles", () => {
    for (const binary of [
      "/var/lib/twistlock/fargate/fargate_defender.sh",
      "/twistlock/fargate_defender.sh",
    ]) {
      const answer = protect(request, { entrypointBinary: binary });
      expect(checkProtectedTaskDefinition(answer, request, {}).protectedContainers).toEqual([
        "web",
        "log",
      ]);
    }
  });

  it("refuses an answer without the sidecar, without INSTALL_BUNDLE or with the sidecar not last", () => {
    const noSidecar = good();
    noSidecar.containerDefinitions.pop();
    expect(problemsOf(noSidecar)).toEqual(['it has no "TwistlockDefender" sidecar container']);
    const noBundle = good();
    noBundle.containerDefinitions[2].environment.shift();
    expect(problemsOf(noBundle)).toEqual([
      'the "TwistlockDefender" sidecar has no INSTALL_BUNDLE in its environment',
    ]);
    const notLast = good();
    notLast.containerDefinitions.unshift(notLast.containerDefinitions.pop());
    expect(problemsOf(notLast)).toEqual([
      'the "TwistlockDefender" sidecar is not the last container',
    ]);
  });

  it("refuses a container left unwrapped, wrapped around something else, dropped, or with a new image", () => {
    const answer = good();
    answer.containerDefinitions[0].entryPoint = ["/docker-entrypoint.sh"];
    answer.containerDefinitions[1].entryPoint = [
      "/var/lib/twistlock/fargate/defender",
      "fargate",
      "entrypoint",
      "/x",
    ];
    expect(problemsOf(answer)).toEqual([
      'container "web": its entryPoint ["/docker-entrypoint.sh"] does not start the Defender (expected it to begin with ["/var/lib/twistlock/fargate/defender","fargate","entrypoint"])',
      'container "log": the Defender wraps ["/x"] instead of its entryPoint ["/fb"]',
    ]);
    const dropped = good();
    dropped.containerDefinitions.splice(1, 1);
    expect(problemsOf(dropped)).toEqual(['container "log" is missing']);
    const swapped = good();
    swapped.containerDefinitions[0].image = "evil:latest";
    expect(problemsOf(swapped)).toEqual([
      'container "web": its image changed from "nginx:1.27" to "evil:latest"',
    ]);
  });

  it("refuses added containers, task-level changes, a wrong pinned image and conflicting bundles", () => {
    const answer = good();
    answer.containerDefinitions.splice(2, 0, { name: "extra", image: "x" });
    answer.cpu = "1024";
    answer.volumes = [{ name: "twistlock" }];
    answer.containerDefinitions[0].environment.push({ name: "INSTALL_BUNDLE", value: "OTHER" });
    expect(problemsOf(answer, { defenderImage: "mine/defender:1" })).toEqual([
      "it changes the task-level field `cpu`",
      "it adds the task-level field `volumes`, which this component does not register",
      'the sidecar\'s image is "registry-auth.twistlock.com/tw_abc/twistlock/defender:defender_34_04_145", not the `defenderImage` asked for ("mine/defender:1")',
      "containers carry different INSTALL_BUNDLE values (web, TwistlockDefender)",
      'it adds containers nobody asked for: "extra"',
    ]);
  });

  it("refuses what is not a task definition at all, without echoing it", () => {
    expect(problemsOf("<html>")).toEqual(["it has no `containerDefinitions` array"]);
    expect(problemsOf({ err: "x" })).toEqual(["it has no `containerDefinitions` array"]);
  });

  it("never puts an INSTALL_BUNDLE value into an error message", () => {
    const answer = good();
    answer.containerDefinitions[0].environment.push({
      name: "INSTALL_BUNDLE",
      value: "OTHER-BUNDLE-456",
    });
    answer.containerDefinitions[1].entryPoint = ["x"];
    const e = errorOf(() => checkProtectedTaskDefinition(answer, request, {}));
    expect(e.details).toHaveLength(2);
    expect(e.message).not.toContain("BUNDLE-VALUE-123");
    expect(e.message).not.toContain("OTHER-BUNDLE-456");
  });
});

describe("normal form", () => {
  it("gives one text for answers that differ only in key order, env order and empty values", () => {
    const a = {
      name: "w",
      image: "i",
      environment: [
        { name: "B", value: "2" },
        { name: "A", value: "1" },
      ],
    };
    const b = {
      environment: [
        { value: "1", name: "A" },
        { value: "2", name: "B" },
      ],
      logConfiguration: null,
      image: "i",
      name: "w",
      secrets: [],
    };
    expect(serializeContainers([normalizeContainer(pruneEmpty(a) as any)])).toBe(
      serializeContainers([normalizeContainer(pruneEmpty(b) as any)]),
    );
  });

  it("keeps entryPoint, command and container order", () => {
    const c = normalizeContainer({ name: "w", entryPoint: ["b", "a"], command: ["z", "y"] });
    expect(c.entryPoint).toEqual(["b", "a"]);
    expect(c.command).toEqual(["z", "y"]);
  });

  it("moves INSTALL_BUNDLE to a secrets reference, or back to the environment on request", () => {
    const containers = [
      { name: "app", image: "a" },
      { name: "TwistlockDefender", image: "d", secrets: [{ name: "ZZ", valueFrom: "arn:z" }] },
    ];
    const viaSecret = withInstallBundleSecret(containers, ["TwistlockDefender"], "arn:bundle");
    expect(viaSecret[0]).toEqual(containers[0]);
    expect(viaSecret[1].secrets).toEqual([
      { name: "INSTALL_BUNDLE", valueFrom: "arn:bundle" },
      { name: "ZZ", valueFrom: "arn:z" },
    ]);
    const viaEnv = withInstallBundleEnvironment(containers, ["TwistlockDefender"], "B");
    expect(viaEnv[1].environment).toEqual([{ name: "INSTALL_BUNDLE", value: "B" }]);
  });
});

describe("defenderVersionOf", () => {
  it.each([
    ["registry-auth.twistlock.com/tw_x/twistlock/defender:defender_34_04_145", "34.04.145"],
    ["registry.example.com:5000/defender:defender_32_07_123", "32.07.123"],
    ["registry.example.com:5000/defender_34_04_145/defender:latest", undefined],
    ["defender@sha256:abcd", undefined],
    ["defender", undefined],
  ])("%s -> %s", (image, version) => {
    expect(defenderVersionOf(image)).toBe(version);
  });
});

describe("execution role policy", () => {
  it("reads the role name from role ARNs, with or without a path, in any partition", () => {
    expect(roleNameFromArn("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")).toBe(
      "ecsTaskExecutionRole",
    );
    expect(roleNameFromArn("arn:aws-us-gov:iam::123456789012:role/a/b/exec-role")).toBe(
      "exec-role",
    );
    expect(() => roleNameFromArn("arn:aws:iam::123456789012:user/bob")).toThrow(
      /^executionRoleArn: must be an IAM role ARN/,
    );
  });

  it("allows GetSecretValue on exactly the bundle secret, a pull secret only when it is a Secrets Manager ARN", () => {
    const only = JSON.parse(installBundleReadPolicy("arn:s", "my-pull-secret", undefined));
    expect(only.Statement).toEqual([
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:s" },
    ]);
    const pull = "arn:aws:secretsmanager:us-east-1:1:secret:p";
    expect(JSON.parse(installBundleReadPolicy("arn:s", pull, "arn:k")).Statement).toEqual([
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ["arn:s", pull] },
      { Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:k" },
    ]);
  });
});
