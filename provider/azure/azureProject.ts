// The .NET project preparation for the Serverless Defender in Azure Functions, as pure transforms: what the
// Prisma Cloud docs (and the only existing tool, a VS Code extension) do by hand. Text in, text out; the
// caller (azureProjectPrepare.ts) reads and writes files.
import {
  appendChildren,
  applyEdits,
  attr,
  descendants,
  escapeAttribute,
  indentAt,
  indentUnit,
  parseXml,
  TextEdit,
  XmlElement,
} from "./xmlText";

/** The folder, relative to the project, that holds the bundle and serves as the local NuGet source. */
export const TWISTLOCK_DIR = "twistlock";
/** The NuGet package id of the Serverless Defender for .NET. */
export const TWISTLOCK_PACKAGE = "Twistlock";
const SOURCE_KEY = "local-packages";
const SOURCE_VALUE = `./${TWISTLOCK_DIR}`;

const eolOf = (text: string) => (text.includes("\r\n") ? "\r\n" : "\n");

function isTwistlockDir(value: string | undefined): boolean {
  const v = (value ?? "").replace(/\\/g, "/").replace(/\/+$/, "").replace(/^\.\//, "");
  return v.toLowerCase() === TWISTLOCK_DIR;
}

/** A new nuget.config with the local source (NuGet still merges the user's and machine's sources). */
export function newNuGetConfig(): string {
  return [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<configuration>`,
    `  <packageSources>`,
    `    <add key="${SOURCE_KEY}" value="${SOURCE_VALUE}" />`,
    `  </packageSources>`,
    `</configuration>`,
    ``,
  ].join("\n");
}

/**
 * Adds `<add key="local-packages" value="./twistlock" />` to `<packageSources>` (after any `<clear />`) unless a
 * source already points at ./twistlock, and, when the file maps packages to sources (`<packageSourceMapping>`),
 * maps `Twistlock` to it, because NuGet would otherwise refuse to restore it from an unmapped source.
 */
export function addLocalNuGetSource(config: string): string {
  const root = parseXml(config);
  if (root.name.toLowerCase() !== "configuration")
    throw new Error(`the root element is <${root.name}>, not <configuration>`);
  const eol = eolOf(config);
  const unit = indentUnit(config);
  const child = (parent: XmlElement, name: string) =>
    parent.children.find((c) => c.name.toLowerCase() === name.toLowerCase());
  const edits: TextEdit[] = [];
  const sources = child(root, "packageSources");
  const adds = sources ? sources.children.filter((c) => c.name.toLowerCase() === "add") : [];
  const existing = adds.find((a) => isTwistlockDir(attr(a, "value")));
  const key = existing
    ? attr(existing, "key")!
    : adds.some((a) => attr(a, "key")?.toLowerCase() === SOURCE_KEY)
      ? "twistlock-local-packages"
      : SOURCE_KEY;
  const addLine = `<add key="${escapeAttribute(key)}" value="${SOURCE_VALUE}" />`;
  if (!sources) {
    const indent = indentAt(config, root.start) + unit;
    const block = [
      `${indent}<packageSources>`,
      `${indent}${unit}${addLine}`,
      `${indent}</packageSources>`,
    ];
    // As the first child: sources are what readers look for first.
    edits.push({ at: root.openEnd, remove: 0, insert: block.map((l) => `${eol}${l}`).join("") });
  } else if (!existing) {
    const indent = indentAt(config, sources.start) + unit;
    edits.push(appendChildren(config, sources, [`${indent}${addLine}`], eol));
  }
  const mapping = child(root, "packageSourceMapping");
  if (mapping) {
    const indent = indentAt(config, mapping.start) + unit;
    const mapped = mapping.children.find(
      (c) => c.name.toLowerCase() === "packagesource" && attr(c, "key") === key,
    );
    const patternLine = `<package pattern="${TWISTLOCK_PACKAGE}" />`;
    if (!mapped) {
      const lines = [
        `${indent}<packageSource key="${escapeAttribute(key)}">`,
        `${indent}${unit}${patternLine}`,
        `${indent}</packageSource>`,
      ];
      edits.push(appendChildren(config, mapping, lines, eol));
    } else if (
      !mapped.children.some(
        (p) => attr(p, "pattern")?.toLowerCase() === TWISTLOCK_PACKAGE.toLowerCase(),
      )
    ) {
      edits.push(appendChildren(config, mapped, [`${indent}${unit}${patternLine}`], eol));
    }
  }
  return applyEdits(config, edits);
}

/**
 * Adds the `Twistlock` package reference at `version` (or corrects the version of an existing one) and the rule
 * that copies `twistlock\**` to the build output, where the Defender loads its native files from at run time.
 */
export function addTwistlockToCsproj(csproj: string, version: string): string {
  const root = parseXml(csproj);
  if (root.name !== "Project") throw new Error(`the root element is <${root.name}>, not <Project>`);
  const eol = eolOf(csproj);
  const unit = indentUnit(csproj);
  const edits: TextEdit[] = [];
  const newItems: string[] = [];
  const ref = findTwistlockReference(root);
  if (!ref) {
    newItems.push(
      `<PackageReference Include="${TWISTLOCK_PACKAGE}" Version="${escapeAttribute(version)}" />`,
    );
  } else {
    edits.push(...setReferenceVersion(csproj, ref, version));
  }
  const copy = copyRules(root);
  if (!copy.files)
    // The package itself is restored through NuGet; only the files beside it are copied (as the VS Code tool does).
    newItems.push(
      `<TwistlockFiles Include="${TWISTLOCK_DIR}\\**" Exclude="${TWISTLOCK_DIR}\\*.nupkg" />`,
    );
  if (!copy.none)
    newItems.push(
      `<None Include="@(TwistlockFiles)" CopyToOutputDirectory="Always" LinkBase="${TWISTLOCK_DIR}\\" />`,
    );
  if (newItems.length > 0) {
    const indent = indentAt(csproj, root.start) + unit;
    // Keep the file's habit of a blank line between top-level groups.
    const kids = root.children;
    const spaced =
      kids.length > 1 && /\n[ \t]*\r?\n/.test(csproj.slice(kids[0].end, kids[1].start));
    const group = [
      ...(spaced ? [""] : []),
      `${indent}<ItemGroup>`,
      ...newItems.map((l) => `${indent}${unit}${l}`),
      `${indent}</ItemGroup>`,
    ];
    edits.push(appendChildren(csproj, root, group, eol));
  }
  return applyEdits(csproj, edits);
}

function setReferenceVersion(text: string, ref: XmlElement, version: string): TextEdit[] {
  const child = ref.children.find((c) => c.name === "Version");
  if (child) {
    const current = text.slice(child.openEnd, child.closeStart);
    if (current.trim() === version) return [];
    return [{ at: child.openEnd, remove: child.closeStart - child.openEnd, insert: version }];
  }
  const tag = text.slice(ref.start, ref.openEnd);
  const m = /(\sVersion\s*=\s*)(["'])([^"']*)\2/i.exec(tag);
  if (m) {
    if (m[3] === version) return [];
    const at = ref.start + m.index + m[1].length + 1;
    return [{ at, remove: m[3].length, insert: escapeAttribute(version) }];
  }
  const at = ref.start + tag.replace(/\s*\/?>$/, "").length;
  return [{ at, remove: 0, insert: ` Version="${escapeAttribute(version)}"` }];
}

/** Problems with the project files as NuGet and MSBuild will read them (empty when prepared for `version`). */
export function projectFileProblems(
  csprojName: string,
  csproj: string,
  nugetConfig: string | undefined,
  version: string,
): string[] {
  const problems: string[] = [];
  if (nugetConfig === undefined)
    problems.push("there is no nuget.config with the ./twistlock source");
  else if (addLocalNuGetSource(nugetConfig) !== nugetConfig)
    problems.push(
      "nuget.config does not list ./twistlock as a package source (or does not map Twistlock to it)",
    );
  const root = parseXml(csproj);
  const ref = findTwistlockReference(root);
  if (!ref) problems.push(`${csprojName} has no PackageReference to Twistlock`);
  else if (setReferenceVersion(csproj, ref, version).length > 0)
    problems.push(
      `${csprojName} references Twistlock ${referenceVersion(csproj, ref)}, not ${version}`,
    );
  const copy = copyRules(root);
  if (!copy.files || !copy.none)
    problems.push(`${csprojName} does not copy twistlock\\** to the build output (TwistlockFiles)`);
  return problems;
}

/** Whether the project declares the TwistlockFiles items and the None item that copies them. */
function copyRules(root: XmlElement): { files: boolean; none: boolean } {
  const items = descendants(root, "ItemGroup").flatMap((g) => g.children);
  return {
    files: items.some((i) => i.name === "TwistlockFiles"),
    none: items.some(
      (i) => i.name === "None" && /@\(\s*TwistlockFiles\s*\)/.test(attr(i, "Include") ?? ""),
    ),
  };
}

function findTwistlockReference(root: XmlElement): XmlElement | undefined {
  return descendants(root, "PackageReference").find(
    (r) =>
      (attr(r, "Include") ?? attr(r, "Update"))?.toLowerCase() === TWISTLOCK_PACKAGE.toLowerCase(),
  );
}

function referenceVersion(text: string, ref: XmlElement): string {
  const child = ref.children.find((c) => c.name === "Version");
  return (
    (child ? text.slice(child.openEnd, child.closeStart).trim() : attr(ref, "Version")) ??
    "(no version)"
  );
}
