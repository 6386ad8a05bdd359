// ProtectedFargateTask in `pulumi preview`: with known inputs it asks the Console (the call changes nothing there)
// and the preview shows the protected definition; with unknown inputs it asks nothing and its outputs are unknown.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { details, installMocks, registrationsDone } from "../helpers/pulumi";
import { ProtectedFargateTask } from "../../provider/fargate/protectedFargateTask";
import { CONTAINERS, WEB, useSimulator } from "./support";

const TD = "aws:ecs/taskDefinition:TaskDefinition";
const mocks = installMocks({ preview: true });
const env = useSimulator();
beforeEach(() => mocks.reset());

it("with known inputs, asks the Console and shows the protected containers", async () => {
  const t = new ProtectedFargateTask("app", {
    console: env.console(),
    family: "app",
    cpu: "256",
    memory: "512",
    containerDefinitions: CONTAINERS,
    // A role the user has already; a new one's ARN would be unknown in a first preview.
    executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  });
  expect(await details(t.protectedContainers)).toEqual({
    value: ["web", "log_router"],
    known: true,
    secret: false,
  });
  await registrationsDone();
  expect(env.sim().requestsTo("defenders/fargate.json")).toHaveLength(1);
  // The new secret's ARN is unknown until it exists, so the definition is only fully known from the second preview
  // on; the review outputs are known already.
  expect((await details(t.wrappedEntrypoints)).known).toBe(true);
  expect((await details(t.defenderVersion)).value).toBe("34.04.145");
});

it("with unknown inputs, sends no request and leaves the outputs unknown", async () => {
  // An image from a repository created in the same program: its ID is unknown until it exists.
  const repo = new aws.ecr.Repository("repo", {});
  const containers = repo.registryId.apply((id) =>
    JSON.stringify([{ ...WEB, image: `${id}.dkr.ecr.us-east-1.amazonaws.com/web:1` }]),
  );
  const t = new ProtectedFargateTask("app", {
    console: env.console(),
    family: "app",
    cpu: "256",
    memory: "512",
    containerDefinitions: containers,
  });
  for (const output of [
    t.protectedContainers,
    t.wrappedEntrypoints,
    t.defenderImage,
    t.defenderVersion,
    t.consoleAddress,
  ] as pulumi.Output<unknown>[]) {
    expect(await details(output)).toEqual({ value: undefined, known: false, secret: false });
  }
  await registrationsDone();
  expect(env.sim().requestsTo("defenders/fargate.json")).toEqual([]);
  const [td] = mocks.children(TD);
  // Registered for the preview, with the definition left unknown (never an unprotected one).
  expect(td.inputs.containerDefinitions).toEqual({ __pulumiUnknown: true });
});
