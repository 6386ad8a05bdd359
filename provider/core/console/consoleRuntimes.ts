// The Lambda runtimes each Console version accepts, as its OpenAPI spec lists them (`shared.LambdaRuntimeType`;
// extracts in provider/simulator/spec, checked against these lists by tests/console/consoleRuntimes.test.ts). A
// Console answers the layer request for a runtime it does not know without complaint, so the client checks first.
import { ConsoleError } from "../errors";

export const CONSOLE_LAMBDA_RUNTIMES: Readonly<Record<string, readonly string[]>> = {
  "32.07": [
    "python",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "nodejs",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "dotnet",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "java",
    "java8",
    "java11",
    "java17",
    "java21",
    "ruby",
    "ruby2.7",
  ],
  "34.04": [
    "python",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "nodejs",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "dotnet",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "java",
    "java8",
    "java11",
    "java17",
    "java21",
    "ruby",
  ],
};

/**
 * Refuse a runtime the Console's version does not list. Versions without a known list are not checked: their
 * specs are not published here, and refusing on a guess would block a Console that supports the runtime.
 */
export function checkRuntimeForConsole(endpoint: string, version: string, runtime: string): void {
  const known = CONSOLE_LAMBDA_RUNTIMES[version];
  if (!known || known.includes(runtime)) return;
  const sameFamily = known.filter(
    (r) => r.replace(/[\d.]+x?$/, "") === runtime.replace(/[\d.]+x?$/, ""),
  );
  throw new ConsoleError({
    endpoint,
    kind: "request",
    problem: `the Console's version ${version} does not support the Lambda runtime ${runtime}`,
    hint: `Use a runtime this Console lists (${sameFamily.filter((r) => /\d/.test(r)).join(", ") || known.join(", ")}), or upgrade the Console (34.04 supports ${CONSOLE_LAMBDA_RUNTIMES["34.04"].filter((r) => r.startsWith(runtime.replace(/[\d.]+x?$/, "")) && /\d/.test(r)).join(", ")}). Nothing was deployed.`,
  });
}
