// What the demo shows of each resource: the Defender wiring a reviewer checks in a preview (sidecar and wrapped
// entrypoints, handler, layers, environment variable NAMES, image entrypoint), never a value that could be a
// credential. Pure functions over the inputs the mocks recorded (secrets still wrapped by the engine's signature).
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";

export const MASK = "[secret]";
/** What the child puts in place of a value the preview does not know yet. */
export const UNKNOWN = "(known after deploy)";

/** One line of wiring: a label and a value that is safe to print. */
export interface WiringLine {
  label: string;
  value: string;
}

export function isSecretWrapped(v: unknown): v is { value: unknown } {
  return !!v && typeof v === "object" && (v as Record<string, unknown>)[SIG] === SECRET_SIG;
}

/** The value under a secret wrapper, and whether there was one. */
export function reveal(v: unknown): { value: unknown; secret: boolean } {
  return isSecretWrapped(v)
    ? { value: reveal(v.value).value, secret: true }
    : { value: v, secret: false };
}

/**
 * The Console's registry access token inside Defender image names
 * (`registry-auth.twistlock.com/tw_<token>/twistlock/defender:...`, docs/console-api.md#defender-image-name): masked
 * like the rest.
 */
export function maskRegistryToken(s: string): string {
  return s.replace(/\/tw_[A-Za-z0-9]{8,}\//g, `/tw_${MASK}/`);
}

/** A short text for a value that is not a credential by construction (names, paths, entrypoints, ARNs). */
function text(v: unknown): string {
  return maskRegistryToken(rawText(v));
}

function rawText(v: unknown): string {
  const { value, secret } = reveal(v);
  if (secret) return MASK;
  if (value === undefined || value === null) return "-";
  if (Array.isArray(value))
    return value.map((x) => (reveal(x).secret ? MASK : String(reveal(x).value))).join(" ");
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SIG] === ARCHIVE_SIG || o[SIG] === ASSET_SIG) return describeAsset(o);
    return "{…}";
  }
  return String(value);
}

function describeAsset(o: Record<string, unknown>): string {
  const kind = o[SIG] === ARCHIVE_SIG ? "archive" : "asset";
  if (typeof o.path === "string") return `${kind} ${o.path}`;
  if (typeof o.uri === "string") return `${kind} ${o.uri}`;
  if (o.assets && typeof o.assets === "object")
    return `${kind} of ${Object.keys(o.assets).length} entries`;
  return kind;
}

/**
 * Variables whose values are wiring, not credentials (the handler the Defender calls, the Defender's mode and the
 * Console host it dials): shown with their value. Every other variable shows its name only, since values may be
 * INSTALL_BUNDLE, TW_POLICY or the user's own secrets.
 */
export const SHOWN_ENV_VALUES = new Set([
  "ORIGINAL_HANDLER",
  "AWS_LAMBDA_EXEC_WRAPPER",
  "DEFENDER_TYPE",
  "DEFENDER_APP_ID",
  "WS_ADDRESS",
  "FILESYSTEM_MONITORING",
]);

function envEntry(name: string, value: unknown): string {
  const v = reveal(value);
  return SHOWN_ENV_VALUES.has(name) && !v.secret && typeof v.value === "string"
    ? `${name}=${v.value}`
    : name;
}

/** Environment variables: names, with the value only for the wiring variables above. */
function envNames(vars: unknown): string {
  const { value, secret } = reveal(vars);
  if (secret && (value === undefined || value === null)) return MASK;
  if (Array.isArray(value)) {
    // ECS style: [{ name, value }]
    const entries = value.map((e) => (reveal(e).value ?? {}) as Record<string, unknown>);
    return entries.map((e) => envEntry(String(e.name ?? "?"), e.value)).join(", ") || "-";
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.map(([k, v]) => envEntry(k, v)).join(", ") || "-";
  }
  return "-";
}

function parseJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** ECS container definitions: per container its image, entrypoint, command, env names and secrets (by name). */
function containerLines(defs: unknown): WiringLine[] {
  const { value, secret } = reveal(defs);
  const list = parseJson(value);
  if (!Array.isArray(list)) {
    return [
      { label: "containerDefinitions", value: secret ? MASK : value === UNKNOWN ? UNKNOWN : "-" },
    ];
  }
  const lines: WiringLine[] = [];
  for (const raw of list) {
    const c = raw as Record<string, any>;
    const label = `container ${c.name}`;
    lines.push({ label, value: `image ${text(c.image)}` });
    if (c.entryPoint) lines.push({ label: `${label} entryPoint`, value: text(c.entryPoint) });
    if (c.command) lines.push({ label: `${label} command`, value: text(c.command) });
    if (c.environment?.length)
      lines.push({ label: `${label} env`, value: envNames(c.environment) });
    if (c.secrets?.length) {
      const names = (c.secrets as Record<string, unknown>[]).map(
        (s) => `${s.name} ← ${text(s.valueFrom)}`,
      );
      lines.push({ label: `${label} secrets`, value: names.join(", ") });
    }
    if (c.volumesFrom?.length) {
      lines.push({
        label: `${label} volumesFrom`,
        value: (c.volumesFrom as Record<string, unknown>[])
          .map((v) => text(v.sourceContainer))
          .join(", "),
      });
    }
    if (c.dependsOn?.length) {
      lines.push({
        label: `${label} dependsOn`,
        value: (c.dependsOn as Record<string, unknown>[])
          .map((d) => `${text(d.containerName)} (${text(d.condition)})`)
          .join(", "),
      });
    }
  }
  return lines;
}

/** The last USER, ENTRYPOINT and CMD of a Dockerfile: what the image runs. Never ENV/ARG (the install bundle). */
function dockerfileLines(dockerfile: unknown): WiringLine[] {
  const { value } = reveal(dockerfile);
  if (typeof value !== "string") return [];
  const last = new Map<string, string>();
  for (const l of value.split(/\r?\n/)) {
    const m = /^\s*(ENTRYPOINT|CMD|USER)\b/i.exec(l);
    if (m) last.set(m[1].toUpperCase(), l.trim());
  }
  return ["USER", "ENTRYPOINT", "CMD"]
    .filter((k) => last.has(k))
    .map((k) => ({ label: "Dockerfile", value: maskRegistryToken(last.get(k)!) }));
}

type Extractor = (inputs: Record<string, any>) => WiringLine[];

const line = (label: string, v: unknown): WiringLine[] =>
  v === undefined || v === null ? [] : [{ label, value: text(v) }];

/** Wiring worth showing per resource type; other types show none. */
export const EXTRACTORS: Record<string, Extractor> = {
  "aws:ecs/taskDefinition:TaskDefinition": (i) => [
    ...line("family", i.family),
    ...containerLines(i.containerDefinitions),
    ...(i.volumes ? [{ label: "volumes", value: envNames(i.volumes) }] : []),
  ],
  "aws:lambda/function:Function": (i) => [
    ...line("runtime", i.runtime),
    ...line("handler", i.handler),
    ...(i.layers ? [{ label: "layers", value: text(i.layers) }] : []),
    ...(i.environment
      ? [
          {
            label: "env",
            value: envNames(
              reveal(i.environment).value && (reveal(i.environment).value as any).variables,
            ),
          },
        ]
      : []),
    ...line("code", i.code),
  ],
  "aws:lambda/layerVersion:LayerVersion": (i) => [
    ...line("layerName", i.layerName),
    ...line("compatibleRuntimes", i.compatibleRuntimes),
    ...line("code", i.code),
  ],
  "aws:cloudformation/stack:Stack": (i) => [
    ...line("name", i.name),
    // The protected template holds INSTALL_BUNDLE: it must reach the engine as a secret.
    { label: "templateBody", value: isSecretWrapped(i.templateBody) ? MASK : "NOT a secret" },
  ],
  "aws:secretsmanager/secretVersion:SecretVersion": (i) => [
    ...line("secretString", i.secretString ? MASK : undefined),
  ],
  "docker:index/image:Image": (i) => [
    ...line("imageName", i.imageName),
    ...dockerfileLines(i.dockerfileText),
    ...line("build.context", reveal(i.build).value && (reveal(i.build).value as any).context),
    ...line("build.dockerfile", reveal(i.build).value && (reveal(i.build).value as any).dockerfile),
  ],
  "azure-native:web:WebApp": (i) => {
    const site = reveal(i.siteConfig).value as Record<string, any> | undefined;
    const settings = reveal(site?.appSettings).value as Record<string, unknown>[] | undefined;
    return [
      ...line("kind", i.kind),
      ...(settings ? [{ label: "appSettings", value: envNames(settings) }] : []),
    ];
  },
  "azure-native:web:WebAppApplicationSettings": (i) => [
    { label: "appSettings", value: envNames(i.properties) },
  ],
};

/** The wiring lines of one resource (none for types without an extractor). */
export function describeWiring(type: string, inputs: Record<string, unknown>): WiringLine[] {
  const extractor = EXTRACTORS[type];
  return extractor ? extractor(inputs as Record<string, any>) : [];
}

/** A stack output as the demo prints it: secrets masked, one level of objects shown. */
export function describeOutput(value: unknown, secret: boolean, known: boolean): string {
  if (!known) return UNKNOWN;
  if (secret) return MASK;
  const { value: v, secret: inner } = reveal(value);
  if (inner) return MASK;
  if (v && typeof v === "object" && !Array.isArray(v) && !(v as Record<string, unknown>)[SIG]) {
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.map(([k, x]) => `${k}: ${text(x)}`).join("; ") || "{}";
  }
  return text(v);
}
