// Canonical key spelling of ECS task definitions.
//
// `aws.ecs.TaskDefinition` parses `containerDefinitions` with Go's encoding/json, which matches keys without regard
// to case, so `"Name"` or `"Environment": [{"Name": ..., "Value": ...}]` (CloudFormation and SDK spelling) register
// fine there. To be a drop-in replacement we accept the same, and rewrite every known key to the API's camelCase
// before anything looks at it; the Console and our checks then see one spelling. Keys we do not know are kept as
// they are, and the keys of free-form maps (docker labels, log driver options, ...) are never touched.

/** Every key of RegisterTaskDefinition's JSON (task, container and nested objects), in the API's spelling. */
const CANONICAL_KEYS = [
  // Task level, including describe-task-definition's read-only fields.
  "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
  "placementConstraints", "requiresCompatibilities", "cpu", "memory", "tags", "pidMode", "ipcMode",
  "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform", "enableFaultInjection",
  "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
  "registeredBy", "deregisteredAt", "deleteRequestedAt", "taskDefinition",
  // Container definition.
  "name", "image", "repositoryCredentials", "credentialsParameter", "memoryReservation", "links",
  "portMappings", "containerPort", "hostPort", "protocol", "appProtocol", "containerPortRange", "essential",
  "restartPolicy", "enabled", "ignoredExitCodes", "restartAttemptPeriod", "entryPoint", "command",
  "environment", "value", "environmentFiles", "type", "mountPoints", "sourceVolume", "containerPath",
  "readOnly", "volumesFrom", "sourceContainer", "linuxParameters", "capabilities", "add", "drop", "devices",
  "hostPath", "permissions", "initProcessEnabled", "sharedMemorySize", "tmpfs", "size", "mountOptions",
  "maxSwap", "swappiness", "secrets", "valueFrom", "dependsOn", "containerName", "condition", "startTimeout",
  "stopTimeout", "versionConsistency", "hostname", "user", "workingDirectory", "disableNetworking",
  "privileged", "readonlyRootFilesystem", "dnsServers", "dnsSearchDomains", "extraHosts", "ipAddress",
  "dockerSecurityOptions", "interactive", "pseudoTerminal", "dockerLabels", "ulimits", "softLimit",
  "hardLimit", "logConfiguration", "logDriver", "options", "secretOptions", "healthCheck", "interval",
  "timeout", "retries", "startPeriod", "systemControls", "namespace", "resourceRequirements",
  "firelensConfiguration", "credentialSpecs",
  // Volumes, placement, proxy, accelerators, storage, platform, tags.
  "host", "sourcePath", "configuredAtLaunch", "dockerVolumeConfiguration", "scope", "autoprovision",
  "driver", "driverOpts", "labels", "efsVolumeConfiguration", "fileSystemId", "rootDirectory",
  "transitEncryption", "transitEncryptionPort", "authorizationConfig", "accessPointId", "iam",
  "fsxWindowsFileServerVolumeConfiguration", "domain", "expression", "properties", "deviceName",
  "deviceType", "sizeInGiB", "cpuArchitecture", "operatingSystemFamily", "key",
]; // prettier-ignore

const BY_LOWERCASE = new Map(CANONICAL_KEYS.map((k) => [k.toLowerCase(), k]));

/** Keys whose value is a map with user-chosen keys (`awslogs-group`, label names, driver options). */
const FREE_FORM_MAPS = new Set(["dockerLabels", "options", "driverOpts", "labels"]);

/** The API's spelling of `key`, or `key` itself when it is not an ECS key. */
export function canonicalKey(key: string): string {
  return BY_LOWERCASE.get(key.toLowerCase()) ?? key;
}

/**
 * `value` with every ECS key in the API's camelCase. Two keys that differ only by case in one object are a problem
 * (which one would AWS take?), reported through `problems` with `path` naming where.
 */
export function canonicalizeKeys(value: unknown, path: string, problems: string[]): unknown {
  if (Array.isArray(value)) {
    return value.map((item, i) => canonicalizeKeys(item, `${path}[${i}]`, problems));
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const canonical = canonicalKey(key);
    if (Object.prototype.hasOwnProperty.call(out, canonical)) {
      problems.push(
        `${path} has both \`${canonical}\` and another spelling of it (\`${key}\`): keep one`,
      );
      continue;
    }
    out[canonical] = FREE_FORM_MAPS.has(canonical)
      ? child
      : canonicalizeKeys(child, `${path}.${canonical}`, problems);
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** A copy of `value` with object keys sorted at every level (arrays keep their order). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}
