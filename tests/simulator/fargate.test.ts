// POST defenders/fargate.json and fargate.yaml: the documented transform, its errors, and the CloudFormation forms.
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { call, fixture, login } from "./helpers";

const Q = "consoleaddr=console.example.com&defenderType=appEmbedded";
const envOf = (container: any) =>
  Object.fromEntries((container.environment ?? []).map((e: any) => [e.name, e.value]));

describe("console simulator: fargate.json", () => {
  let sim: ConsoleSimulator;
  let token: string;
  const protect = (body: unknown, query = Q, path = "/api/v34.04/defenders/fargate.json") =>
    call(sim, `${path}?${query}`, { body, token });
  beforeAll(async () => {
    sim = await startConsoleSimulator({
      imageEntrypoints: { "danriti/gunicorn-flask": { cmd: ["gunicorn", "app:app"] } },
    });
    token = await login(sim);
  });
  afterAll(() => sim.close());

  it("protects Prisma's own sample task as documented", async () => {
    const answer = await protect(
      fixture("prisma-sample-code--single-container-entrypoint-command-null.json"),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    const task = answer.json();
    expect(task.family).toBe("twistlock-fargate-task");
    expect(task.cpu).toBe("256");
    const [app, sidecar] = task.containerDefinitions;
    expect(task.containerDefinitions).toHaveLength(2);
    expect(app.entryPoint).toEqual([
      "/var/lib/twistlock/fargate/defender",
      "fargate",
      "entrypoint",
      "entry.sh",
    ]);
    expect(app.command).toBeNull();
    expect(envOf(app)).toEqual({
      TW_IMAGE_NAME: "matthewabq/twistlock-fargate-auto",
      TW_CONTAINER_NAME: "twistlock-fargate-task",
      DEFENDER_TYPE: "fargate",
      FARGATE_TASK: "twistlock-fargate-task",
      FILESYSTEM_MONITORING: "false",
    });
    expect(app.volumesFrom).toEqual([{ sourceContainer: "TwistlockDefender", readOnly: false }]);
    expect(app.dependsOn).toEqual([{ containerName: "TwistlockDefender", condition: "START" }]);
    expect(app.linuxParameters).toEqual({ capabilities: { add: ["SYS_PTRACE"] } });
    expect(sidecar.name).toBe("TwistlockDefender");
    expect(sidecar.image).toMatch(
      /^registry-auth\.twistlock\.com\/tw_[0-9a-f]+\/twistlock\/defender:defender_34_04_145$/,
    );
    expect(sidecar.entryPoint).toEqual(["/usr/local/bin/defender", "fargate", "sidecar"]);
    expect(sidecar.environment.map((e: any) => e.name)).toEqual([
      "INSTALL_BUNDLE",
      "DEFENDER_TYPE",
      "FARGATE_TASK",
      "WS_ADDRESS",
      "FILESYSTEM_MONITORING",
      "FIPS_ENABLED",
    ]);
    expect(sidecar.environment[0].value).toBe(sim.secrets.installBundle);
    expect(sidecar.environment[3].value).toBe("wss://console.example.com:8084");
    expect(sidecar.essential).toBe(true);
    expect(sidecar.healthCheck).toEqual({
      command: ["/usr/local/bin/defender", "fargate", "healthcheck"],
      interval: 5,
      retries: 3,
      startPeriod: 1,
      timeout: 5,
    });
    // The quirk clients must normalise: ECS refuses an empty logConfiguration.
    expect(sidecar.logConfiguration).toEqual({});
  });

  it("decodes INSTALL_BUNDLE to the documented keys with the simulator's secret inside", async () => {
    const decoded = JSON.parse(Buffer.from(sim.secrets.installBundle, "base64").toString("utf8"));
    expect(Object.keys(decoded)).toEqual([
      "secrets",
      "globalProxyOpt",
      "customerID",
      "apiKey",
      "microsegCompatible",
      "imageScanID",
    ]);
    expect(decoded.secrets["service-parameter"]).toContain(sim.secrets.marker);
    expect(decoded.apiKey).toContain(sim.secrets.marker);
  });

  it("merges with existing environment, volumesFrom, dependsOn and capabilities, and protects every container", async () => {
    const task = {
      family: "otel",
      containerDefinitions: [
        ...fixture("sysdig-tf-provider--array-existing-linuxparameters-capabilities.json"),
        {
          name: "collector",
          image: "otel",
          entryPoint: [],
          environment: [
            { name: "FILESYSTEM_MONITORING", value: "stale" },
            { name: "KEEP", value: "1" },
          ],
          volumesFrom: [{ sourceContainer: "data", readOnly: true }],
          dependsOn: [{ containerName: "test", condition: "START" }],
          linuxParameters: {
            capabilities: { add: ["SYS_PTRACE", "NET_ADMIN"] },
            initProcessEnabled: true,
          },
        },
      ],
    };
    const out = (await protect(task, `${Q}&filesystemMonitoring=true`)).json();
    const [first, collector, sidecar] = out.containerDefinitions;
    expect(first.linuxParameters.capabilities).toEqual({
      drop: ["BLOCK_SUSPEND"],
      add: ["SYS_PTRACE"],
    });
    // An empty entryPoint counts as present: only the Defender's prefix remains.
    expect(collector.entryPoint).toEqual([
      "/var/lib/twistlock/fargate/defender",
      "fargate",
      "entrypoint",
    ]);
    expect(collector.environment).toEqual([
      { name: "FILESYSTEM_MONITORING", value: "true" },
      { name: "KEEP", value: "1" },
      { name: "TW_IMAGE_NAME", value: "otel" },
      { name: "TW_CONTAINER_NAME", value: "collector" },
      { name: "DEFENDER_TYPE", value: "fargate" },
      { name: "FARGATE_TASK", value: "otel" },
    ]);
    expect(collector.volumesFrom).toEqual([
      { sourceContainer: "data", readOnly: true },
      { sourceContainer: "TwistlockDefender", readOnly: false },
    ]);
    expect(collector.dependsOn).toHaveLength(2);
    expect(collector.linuxParameters).toEqual({
      capabilities: { add: ["SYS_PTRACE", "NET_ADMIN"] },
      initProcessEnabled: true,
    });
    expect(envOf(sidecar).FILESYSTEM_MONITORING).toBe("true");
  });

  it("refuses a container without entryPoint unless extractEntrypoint finds the image", async () => {
    const noEntry = fixture(
      "aws-containers-taskdefs--no-entrypoint-no-command-image-defaults.json",
    );
    const refused = await protect(noEntry);
    expect(refused.status).toBe(400);
    expect(refused.json().err).toMatch(/gunicorn.*entryPoint.*extractEntrypoint=true/);
    const extracted = (await protect(noEntry, `${Q}&extractEntrypoint=true`)).json();
    expect(extracted.containerDefinitions[0].entryPoint).toEqual([
      "/var/lib/twistlock/fargate/defender",
      "fargate",
      "entrypoint",
    ]);
    expect(extracted.containerDefinitions[0].command).toEqual(["gunicorn", "app:app"]);
    const otel = fixture("awsdocs-ecs--otel-collector-sidecar-command-flags-dependson-start.json");
    const unknownImage = await protect(otel, `${Q}&extractEntrypoint=true`);
    expect(unknownImage.status).toBe(400);
    expect(unknownImage.json().err).toMatch(/application-image.*aws-otel-emitter/);
  });

  it("takes built-in registry entrypoints (nginx) and keeps a task's own command", async () => {
    const task = {
      family: "web",
      containerDefinitions: [
        { name: "web", image: "docker.io/library/nginx", command: ["nginx", "-T"] },
      ],
    };
    const [web] = (await protect(task, `${Q}&extractEntrypoint=true`)).json().containerDefinitions;
    expect(web.entryPoint).toEqual([
      "/var/lib/twistlock/fargate/defender",
      "fargate",
      "entrypoint",
      "/docker-entrypoint.sh",
    ]);
    expect(web.command).toEqual(["nginx", "-T"]);
  });

  it("uses defenderImage and its pull secret when given", async () => {
    const task = fixture("prisma-sample-code--single-container-entrypoint-command-null.json");
    const q = `${Q}&defenderImage=registry.example.com/defender:34&defenderImagePullSecret=arn:aws:secret`;
    const sidecar = (await protect(task, q)).json().containerDefinitions[1];
    expect(sidecar.image).toBe("registry.example.com/defender:34");
    expect(sidecar.repositoryCredentials).toEqual({ credentialsParameter: "arn:aws:secret" });
  });

  it.each([
    ["consoleaddr=https://console.example.com", /consoleaddr.*host name/],
    ["defenderType=appEmbedded", /missing consoleaddr/],
    [`${Q.replace("appEmbedded", "lambda")}`, /defenderType: must be one of/],
    [`${Q}&filesystemMonitoring=yes`, /filesystemMonitoring/],
  ])("400s bad query %s", async (query, message) => {
    const answer = await protect(
      fixture("prisma-sample-code--single-container-entrypoint-command-null.json"),
      query,
    );
    expect(answer.status).toBe(400);
    expect(answer.json().err).toMatch(message);
  });

  it("400s bodies that are not a task definition, and an already protected one", async () => {
    const notJson = await call(sim, `/api/v34.04/defenders/fargate.json?${Q}`, {
      raw: "{nope",
      token,
    });
    expect(notJson.status).toBe(400);
    expect((await protect({ family: "x" })).json().err).toMatch(/containerDefinitions/);
    const wrapped = {
      taskDefinition: fixture("prisma-sample-code--single-container-entrypoint-command-null.json"),
    };
    expect((await protect(wrapped)).status).toBe(400);
    const once = (
      await protect(fixture("prisma-sample-code--single-container-entrypoint-command-null.json"))
    ).json();
    const twice = await protect(once);
    expect(twice.status).toBe(400);
    expect(twice.json().err).toMatch(/already protected/);
  });

  it("answers byte-identical output for equal input", async () => {
    const task = fixture("prisma-sample-code--single-container-entrypoint-command-null.json");
    expect((await protect(task)).text).toBe((await protect(task)).text);
  });

  it("uses port 443 for SaaS tenants and the old entrypoint script for a 32.07 Console", async () => {
    const saas = await startConsoleSimulator({ tenantPath: "/us-3-1", https: false });
    const old = await startConsoleSimulator({ version: "32.07.123", https: false });
    try {
      const task = fixture("prisma-sample-code--single-container-entrypoint-command-null.json");
      const s = await call(saas, `/api/v34.04/defenders/fargate.json?${Q}`, {
        body: task,
        token: await login(saas),
      });
      expect(envOf(s.json().containerDefinitions[1]).WS_ADDRESS).toBe(
        "wss://console.example.com:443",
      );
      const o = await call(old, `/api/v32.07/defenders/fargate.json?${Q}`, {
        body: task,
        token: await login(old),
      });
      expect(o.json().containerDefinitions[0].entryPoint[0]).toBe(
        "/var/lib/twistlock/fargate/fargate_defender.sh",
      );
      expect(o.json().containerDefinitions[1].image).toMatch(/defender_32_07_123$/);
    } finally {
      await Promise.all([saas.close(), old.close()]);
    }
  });
});
