// The storage side of ProtectedAzureFunction: the AzureWebJobsStorage connection string and the published package
// deployed the usual way for Windows function apps (a blob plus WEBSITE_RUN_FROM_PACKAGE with a read-only SAS URL).
import * as pulumi from "@pulumi/pulumi";
import { Checks } from "../core/check";
import { azureStorage } from "../core/peers";
import { packageContainerName, storageConnectionString } from "./azureFunctionApp";
import { packageHash } from "./azureProjectFiles";
import { ProtectedAzureFunctionArgs } from "./protectedAzureFunctionArgs";

/** Fixed, not clock-based: a SAS expiry computed from "now" would change the app settings on every preview. */
export const DEFAULT_SAS_EXPIRY = "2035-01-01T00:00:00Z";

/** The AzureWebJobsStorage value (secret), or undefined when the user's appSettings carry it. */
export function functionStorageConnection(
  args: ProtectedAzureFunctionArgs,
  checks: Checks,
): pulumi.Output<string> | undefined {
  const storage = azureStorage(checks);
  const parent = checks.resource;
  if (args.storageConnectionString !== undefined)
    return pulumi.secret(args.storageConnectionString);
  if (args.storageAccountName === undefined) return undefined;
  const key =
    args.storageAccountKey ??
    storage
      .listStorageAccountKeysOutput(
        {
          resourceGroupName: args.storageAccountResourceGroupName ?? args.resourceGroupName,
          accountName: args.storageAccountName,
        },
        { parent },
      )
      .apply((r) => {
        // Fail rather than deploy a connection string the Functions host cannot use.
        const value = r?.keys?.find((k) => k.value)?.value;
        if (!value)
          throw new Error(
            "listKeys returned no key for the storage account: give `storageAccountKey` or `storageConnectionString`, or let the deploying identity list the account's keys",
          );
        return value;
      });
  return pulumi.secret(
    pulumi.all([args.storageAccountName, key]).apply(([a, k]) => storageConnectionString(a, k)),
  );
}

/**
 * Uploads the published package as a blob named after its content hash (new code, new URL, so the app reloads)
 * into a private container of its own, and returns the blob's read-only SAS URL (secret).
 */
export function deployFunctionPackage(
  name: string,
  args: ProtectedAzureFunctionArgs,
  appName: pulumi.Output<string>,
  checks: Checks,
): pulumi.Output<string> {
  const storage = azureStorage(checks);
  const parent = checks.resource;
  const accountName = args.storageAccountName!;
  const resourceGroupName = args.storageAccountResourceGroupName ?? args.resourceGroupName;
  const containerName = appName.apply(packageContainerName);
  const container = new storage.BlobContainer(
    `${name}-packages`,
    { accountName, resourceGroupName, containerName, publicAccess: storage.PublicAccess.None },
    { parent },
  );
  const packagePath = pulumi.output(args.packagePath!);
  const blobName = pulumi
    .all([appName, packagePath.apply(packageHash)])
    .apply(([n, h]) => `${n}-${h.slice(0, 16)}.zip`);
  const blob = new storage.Blob(
    `${name}-package`,
    {
      accountName,
      resourceGroupName,
      // Through container.id, so the blob waits for its container.
      containerName: pulumi.all([container.id, containerName]).apply(([, c]) => c),
      blobName,
      type: storage.BlobType.Block,
      contentType: "application/zip",
      source: packagePath.apply((p) => new pulumi.asset.FileArchive(p)),
    },
    { parent },
  );
  // Through blob.id: the app never points at a package that is not uploaded yet.
  const uploaded = pulumi.all([blob.id, blobName]).apply(([, b]) => b);
  const sas = storage.listStorageAccountServiceSASOutput(
    {
      accountName,
      resourceGroupName,
      protocols: storage.HttpProtocol.Https,
      resource: storage.SignedResource.B,
      permissions: storage.Permissions.R,
      sharedAccessExpiryTime: args.packageSasExpiry ?? DEFAULT_SAS_EXPIRY,
      canonicalizedResource: pulumi.interpolate`/blob/${accountName}/${containerName}/${uploaded}`,
    },
    { parent },
  );
  return pulumi.secret(
    pulumi.interpolate`https://${accountName}.blob.core.windows.net/${containerName}/${uploaded}?${sas.serviceSasToken}`,
  );
}
