// @pulumi/docker and @pulumi/azure-native are optional peer dependencies: only EmbeddedDefenderImage and
// ProtectedAzureFunction need them, so a program that protects only AWS workloads neither installs nor loads them.
// The components load them here, when one is constructed, and a missing one is an error naming the install command.
import * as fs from "fs";
import * as path from "path";
import { Checks } from "./check";
import { problem } from "./problems";
import type * as dockerSdk from "@pulumi/docker";
import type * as webSdk from "@pulumi/azure-native/web";
import type * as storageSdk from "@pulumi/azure-native/storage";

/** The range package.json declares for a peer (this file is two levels below the package root, built or not). */
function declaredRange(pkg: string): string {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"),
  ) as { peerDependencies?: Record<string, string> };
  return manifest.peerDependencies?.[pkg] ?? "*";
}

function loadPeer<T>(pkg: string, subpath: string, checks: Checks): T {
  const specifier = subpath ? `${pkg}/${subpath}` : pkg;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(specifier) as T;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== "MODULE_NOT_FOUND" || !err.message.includes(`'${specifier}'`)) throw e;
    const range = declaredRange(pkg);
    throw checks.error([
      problem(
        pkg,
        `is not installed; it is an optional peer dependency of prisma-defender (${range}). ` +
          `Install it in your Pulumi project: npm install ${pkg}@"${range}"`,
      ),
    ]);
  }
}

/** `@pulumi/docker`, for EmbeddedDefenderImage. */
export const docker = (checks: Checks): typeof dockerSdk => loadPeer("@pulumi/docker", "", checks);

/** `@pulumi/azure-native/web`, for ProtectedAzureFunction. */
export const azureWeb = (checks: Checks): typeof webSdk =>
  loadPeer("@pulumi/azure-native", "web", checks);

/** `@pulumi/azure-native/storage`, for ProtectedAzureFunction's package deployment. */
export const azureStorage = (checks: Checks): typeof storageSdk =>
  loadPeer("@pulumi/azure-native", "storage", checks);
