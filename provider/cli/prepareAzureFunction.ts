// The `prepare-azure-function` command: runs the preparation (or only the check) and prints one line per file.
import { consoleFor } from "../core/console/client";
import { ConsoleSettingsError } from "../core/errors";
import { resolveConsoleSettings } from "../core/settings";
import { ConsoleArgs, ResolvedConsoleSettings } from "../core/types";
import { checkAzureFunctionProject } from "../azure/azureProjectCheck";
import { prepareAzureFunctionProject } from "../azure/azureProjectPrepare";

export interface PrepareCommandOptions {
  projectDir: string;
  console: ConsoleArgs;
  runtime?: string;
  dryRun: boolean;
  checkOnly: boolean;
}

export async function prepareAzureFunction(
  options: PrepareCommandOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  try {
    if (options.checkOnly) {
      const resolved = resolveConsoleSettings(options.console, "prepare-azure-function");
      const settings = await (
        resolved as unknown as { promise(): Promise<ResolvedConsoleSettings> }
      ).promise();
      const version = await consoleFor(settings).consoleVersion();
      const check = await checkAzureFunctionProject(options.projectDir, version);
      for (const p of check.problems) err.write(`problem  ${p}\n`);
      if (check.problems.length === 0)
        out.write(`${options.projectDir} is prepared for the Console's Defender ${version}\n`);
      return check.problems.length === 0 ? 0 : 1;
    }
    const result = await prepareAzureFunctionProject({
      projectDir: options.projectDir,
      console: options.console,
      runtime: options.runtime,
      dryRun: options.dryRun,
    });
    const verb = (action: string) =>
      (options.dryRun ? `would be ${action}` : action).padEnd(options.dryRun ? 16 : 8);
    for (const c of result.changes) out.write(`${verb(c.action)} ${c.path}: ${c.summary}\n`);
    if (result.changes.length === 0)
      out.write(
        `no changes: the project is already prepared for the Defender ${result.defenderVersion}\n`,
      );
    else if (!options.dryRun)
      out.write(
        `prepared for the Defender ${result.defenderVersion}: build and publish the project, then deploy it\n`,
      );
    for (const p of result.problems) err.write(`problem  ${p}\n`);
    return result.problems.length === 0 ? 0 : 1;
  } catch (e) {
    const message = (e as Error).message.replace(/^prisma-defender:\s*/, "");
    err.write(`prisma-defender: ${message}\n`);
    if (e instanceof ConsoleSettingsError)
      err.write(
        "On the command line: --console-url, --username, and the password or token in the environment.\n",
      );
    return 1;
  }
}
