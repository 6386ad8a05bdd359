// `npx prisma-defender <command>`: what cannot be done from infrastructure code. Today one command:
// `prepare-azure-function`, which prepares a .NET Azure Functions project for the Serverless Defender.
import { parseArgs } from "node:util";
import { ConsoleArgs } from "../core/types";
import { prepareAzureFunction } from "./prepareAzureFunction";

export const USAGE = `Usage: prisma-defender prepare-azure-function <projectDir> [options]

Prepares a .NET (C#) Azure Functions project for the Prisma Cloud Serverless Defender:
downloads the Defender bundle from the Console into <projectDir>/twistlock, adds it as a
local NuGet source, references the Twistlock package (the Console's version) in the .csproj
with the rule that copies twistlock/ to the build output, and adds
Twistlock.Serverless.Init(...) to every function that lacks it. Running it again changes nothing.

Console options (each also read from the environment, as the Terraform provider does):
  --console-url <url>        PRISMACLOUDCOMPUTE_CONSOLE_URL
  --username <name>          PRISMACLOUDCOMPUTE_USERNAME (access key ID on SaaS)
                             password / secret key: PRISMACLOUDCOMPUTE_PASSWORD (env only)
                             or a token: PRISMACLOUDCOMPUTE_TOKEN (env only)
  --project <name>           PRISMACLOUDCOMPUTE_PROJECT
  --api-version <x.y>        PRISMACLOUDCOMPUTE_API_VERSION
  --ca-cert <file>           PRISMACLOUDCOMPUTE_CA_CERT (PEM of the Console's CA)
  --insecure-skip-verify     PRISMACLOUDCOMPUTE_INSECURE (do not verify TLS; avoid)
  --request-timeout <sec>    PRISMACLOUDCOMPUTE_REQUEST_TIMEOUT

Other options:
  --runtime <runtime>        bundle runtime sent to the Console (default: dotnet)
  --dry-run                  print what would change, write nothing
  --check                    only check the project is prepared for this Console; exit 1 if not
  -h, --help                 this text
`;

/** Runs the CLI; resolves to the exit code (0 ok, 1 failure or problems, 2 bad usage). */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "console-url": { type: "string" },
        username: { type: "string" },
        project: { type: "string" },
        "api-version": { type: "string" },
        "ca-cert": { type: "string" },
        "insecure-skip-verify": { type: "boolean" },
        "request-timeout": { type: "string" },
        runtime: { type: "string" },
        "dry-run": { type: "boolean" },
        check: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    err.write(`prisma-defender: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(USAGE);
    return 0;
  }
  const [command, projectDir, ...extra] = positionals;
  if (command !== "prepare-azure-function" || !projectDir || extra.length > 0) {
    err.write(
      `prisma-defender: ${command && command !== "prepare-azure-function" ? `unknown command "${command}"` : "expected: prepare-azure-function <projectDir>"}\n\n${USAGE}`,
    );
    return 2;
  }
  // Flags override the environment: they are passed as args, which come first in the settings' precedence.
  const console: ConsoleArgs = {
    url: values["console-url"],
    username: values.username,
    project: values.project,
    apiVersion: values["api-version"],
    caCertificate: values["ca-cert"],
    insecureSkipVerify: values["insecure-skip-verify"],
    requestTimeoutSeconds:
      values["request-timeout"] === undefined ? undefined : Number(values["request-timeout"]),
  };
  return prepareAzureFunction(
    {
      projectDir,
      console,
      runtime: values.runtime,
      dryRun: values["dry-run"] ?? false,
      checkOnly: values.check ?? false,
    },
    out,
    err,
  );
}
