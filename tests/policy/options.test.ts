// The examples' own resources with a credential made plain, a Defender version outside the configured range, or a
// workload excluded: each gives exactly the expected diagnostic.
import { startPolicyPack } from "../../scripts/demo/policyAnalyzer";
import type { RunningPack } from "../../scripts/demo/policyAnalyzer";
import type { ExampleResources, WireResource } from "../../scripts/demo/policyResources";
import { detach, edit, examples, find, lines, reveal, secret, verdicts } from "./support";

let pack: RunningPack;
let runs: ExampleResources[];
const stack = (id: string) => runs.find((e) => e.id === id)!.resources;

beforeAll(async () => {
  [pack, runs] = await Promise.all([startPolicyPack(), examples()]);
}, 120_000);
afterAll(() => pack?.close());
afterEach(() => pack.configure({}));

const FN = "aws:lambda/function:Function";

describe("defender-credentials-secret", () => {
  test("TW_POLICY in a function's plain environment", async () => {
    const fn = find(stack("lambda"), FN, "orders");
    const ds = await verdicts(
      pack,
      edit(stack("lambda"), fn, (p) => (p.environment.variables = reveal(p.environment.variables))),
    );
    expect(lines(ds)).toEqual([
      `defender-credentials-secret [mandatory]: ${FN} "orders" has TW_POLICY as a plain (non-secret) value in environment.variables.TW_POLICY. Fix: wrap the value in pulumi.secret() (the prisma-defender components keep it secret for you), or set it with \`pulumi config set --secret\`.`,
    ]);
  });

  test("INSTALL_BUNDLE inside a CloudFormation template body that is not secret", async () => {
    const cfn = find(stack("yaml"), "aws:cloudformation/stack:Stack", "reportsStack");
    const ds = await verdicts(
      pack,
      edit(stack("yaml"), cfn, (p) => (p.templateBody = reveal(p.templateBody))),
    );
    expect(lines(ds)).toEqual([
      `defender-credentials-secret [mandatory]: aws:cloudformation/stack:Stack "reportsStack" has INSTALL_BUNDLE as a plain (non-secret) value in templateBody.Resources.ReportsTask.Properties.ContainerDefinitions[1].Environment[4]. Fix: wrap the value in pulumi.secret() (the prisma-defender components keep it secret for you), or set it with \`pulumi config set --secret\`.`,
    ]);
  });

  test("TW_POLICY as a plain Azure app setting", async () => {
    const app = find(stack("azure-function"), "azure-native:web:WebApp", "orders");
    const ds = await verdicts(
      pack,
      edit(stack("azure-function"), app, (p) => (p.siteConfig = reveal(p.siteConfig))),
    );
    expect(lines(ds).filter((l) => l.includes("TW_POLICY"))).toEqual([
      `defender-credentials-secret [mandatory]: azure-native:web:WebApp "orders" has TW_POLICY as a plain (non-secret) value in siteConfig.appSettings[4]. Fix: wrap the value in pulumi.secret() (the prisma-defender components keep it secret for you), or set it with \`pulumi config set --secret\`.`,
    ]);
  });

  test("a Console password given to a component as a plain value", async () => {
    const component = find(stack("lambda"), "prisma-defender:index:ProtectedLambda", "orders");
    const withInputs: WireResource = {
      ...component,
      inputs: {
        runtime: "nodejs20.x",
        console: { url: "https://console.example.com:8083", username: "ci", password: "hunter2" },
      },
    };
    expect(lines(await pack.analyze(withInputs))).toEqual([
      `defender-credentials-secret [mandatory]: prisma-defender:index:ProtectedLambda "orders" has the Console password as a plain (non-secret) value in console.password. Fix: wrap the value in pulumi.secret() (the prisma-defender components keep it secret for you), or set it with \`pulumi config set --secret\`.`,
    ]);
    withInputs.inputs = {
      ...withInputs.inputs,
      console: { ...(withInputs.inputs.console as object), password: secret("hunter2") },
    };
    expect(await pack.analyze(withInputs)).toEqual([]);
  });
});

describe("defender-version", () => {
  test("without a range it checks nothing", async () => {
    expect(await pack.analyzeStack(stack("fargate"))).toEqual([]);
  });

  test("a range the examples' Defender (34.04.145) satisfies", async () => {
    await pack.configure({ "defender-version": { range: ">=34.04" } });
    for (const e of runs) {
      const ds = await pack.analyzeStack(e.resources);
      // Only the listing of examples/protect-stack's accepted exception, never a version verdict.
      expect(ds.filter((d) => d.policyName !== "defender-exclusions")).toEqual([]);
    }
  });

  test("a range that is not one fails the analysis, naming it", async () => {
    await pack.configure({ "defender-version": { range: "newest please" } });
    await expect(pack.analyzeStack(stack("fargate"))).rejects.toThrow(
      'defender-version: range "newest please" is not a semver range',
    );
  });

  test("a range it does not: each component that deploys a Defender is named", async () => {
    await pack.configure({ "defender-version": { range: ">=34.5" } });
    expect(lines(await pack.analyzeStack(stack("lambda")))).toEqual(
      ["node-defender", "orders", "invoices", "reports"].map(
        (n) =>
          `defender-version [mandatory]: prisma-defender:index:${n === "node-defender" ? "DefenderLayer" : "ProtectedLambda"} "${n}" deploys Defender 34.04.145, outside the allowed range ">=34.5". Fix: upgrade the Compute Console (the components deploy the Console's Defender version), or change the range.`,
      ),
    );
  });
});

describe("exclusions", () => {
  const plain = (tags?: Record<string, string>) => {
    const fn = find(stack("lambda"), FN, "orders");
    return edit(
      stack("lambda"),
      fn,
      (p) => {
        p.handler = "index.handler";
        delete p.layers;
        p.environment = { variables: { TABLE_NAME: "orders" } };
        if (tags) p.tags = tags;
      },
      detach,
    );
  };
  const URN = "urn:pulumi:demo::prisma-defender-lambda::aws:lambda/function:Function::orders";

  test("by tag: the function is not reported as unprotected, and the exclusion is listed", async () => {
    expect(
      lines(await pack.analyzeStack(plain({ "prisma-defender-exclude": "SEC-123 legacy" }))),
    ).toEqual([
      `defender-exclusions [advisory]: ${FN} "orders" is excluded from the Defender checks (tag prisma-defender-exclude="SEC-123 legacy").`,
    ]);
  });

  test("by URN pattern", async () => {
    await pack.configure({
      "defender-exclusions": { urns: ["urn:pulumi:*::aws:lambda/function:Function::ord*"] },
    });
    const ds = await pack.analyzeStack(plain());
    expect(lines(ds)).toEqual([
      `defender-exclusions [advisory]: ${FN} "orders" is excluded from the Defender checks (URN pattern "urn:pulumi:*::aws:lambda/function:Function::ord*").`,
    ]);
    expect(ds[0].urn).toBe(URN);
  });

  test("with the exclusions policy disabled nothing is excluded (an exclusion is never silent)", async () => {
    await pack.configure({ "defender-exclusions": { enforcementLevel: "disabled" } });
    const ds = await pack.analyzeStack(plain({ "prisma-defender-exclude": "SEC-123 legacy" }));
    expect(ds.map((d) => [d.policyName, d.urn])).toEqual([["lambda-functions-protected", URN]]);
  });
});
