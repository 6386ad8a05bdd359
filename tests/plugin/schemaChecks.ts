// Hand-review rules for the inferred schema and the sources it comes from: the silent traps of Pulumi's schema
// inference from TypeScript (two interfaces of one name share one schema type, private-looking members surface as
// outputs, undocumented inputs get no description) made into checks. Each returns the offenders; an empty list
// means the rule holds.
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";

type Json = Record<string, any>;

const TYPE_REF = /^#\/types\/(.+)$/;

/** Component class names missing from the schema's resources. */
export function missingComponents(schema: Json, classNames: string[]): string[] {
  return classNames.filter((n) => !schema.resources?.[`${schema.name}:index:${n}`]);
}

/** Object types reachable from the components' inputs (what users type into). */
function inputTypes(schema: Json): Set<string> {
  const seen = new Set<string>();
  const visit = (prop: Json | undefined) => {
    if (!prop) return;
    const m = typeof prop.$ref === "string" ? TYPE_REF.exec(prop.$ref) : null;
    if (m && !seen.has(m[1])) {
      seen.add(m[1]);
      for (const p of Object.values(schema.types?.[m[1]]?.properties ?? {})) visit(p as Json);
    }
    visit(prop.items);
    visit(prop.additionalProperties);
  };
  for (const r of Object.values(schema.resources ?? {}) as Json[]) {
    for (const p of Object.values(r.inputProperties ?? {})) visit(p as Json);
  }
  return seen;
}

/** Every input property, of the components and of the types they use: `Owner.property` → definition. */
export function inputProperties(schema: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [token, r] of Object.entries(schema.resources ?? {}) as [string, Json][]) {
    for (const [k, p] of Object.entries(r.inputProperties ?? {}))
      out.set(`${token.split(":")[2]}.${k}`, p as Json);
  }
  for (const token of inputTypes(schema)) {
    for (const [k, p] of Object.entries(schema.types?.[token]?.properties ?? {})) {
      out.set(`${token.split(":")[2]}.${k}`, p as Json);
    }
  }
  return out;
}

/** Input properties without a description (the JSDoc is what users of every language read). */
export function undocumentedInputs(schema: Json): string[] {
  return [...inputProperties(schema)]
    .filter(([, p]) => !String(p.description ?? "").trim())
    .map(([k]) => k);
}

/**
 * Plain string inputs whose description lists the allowed values (`host`, `task` or `none`): closed choices that
 * should be an enum, so SDKs offer them and typos fail at compile time. Single characters (`.`, `_` or `-`) are
 * character classes, not choices.
 */
export function closedChoicesWithoutEnum(schema: Json): string[] {
  const word = "`[A-Za-z0-9][\\w.-]+`";
  const listed = new RegExp(`${word}(,\\s*${word})*,?\\s+or\\s+${word}`);
  return [...inputProperties(schema)]
    .filter(([, p]) => p.type === "string" && listed.test(String(p.description ?? "")))
    .map(([k]) => k);
}

/** Output or type property names that look like private fields (`private`/`#` fields leak into the schema). */
export function privateLooking(schema: Json): string[] {
  const bad = (name: string) => name.startsWith("_") || name.includes("#");
  const out: string[] = [];
  for (const [token, r] of Object.entries(schema.resources ?? {}) as [string, Json][]) {
    for (const k of Object.keys(r.properties ?? {}))
      if (bad(k)) out.push(`${token.split(":")[2]}.${k}`);
  }
  for (const [token, t] of Object.entries(schema.types ?? {}) as [string, Json][]) {
    for (const k of Object.keys(t.properties ?? {}))
      if (bad(k)) out.push(`${token.split(":")[2]}.${k}`);
  }
  return out;
}

/** Every .ts file under a directory (no .d.ts). */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(p);
  }
  return out.sort();
}

/**
 * Type names declared in more than one file: interfaces, enums, type aliases, classes and `as const` enum objects.
 * The analyzer keys types by bare name, so two `Settings` silently become one.
 */
/** `type X = M.X`: another name for the declaration X in module M, not a type of its own. */
function isAliasOfSameName(node: ts.TypeAliasDeclaration): boolean {
  const t = node.type;
  return (
    ts.isTypeReferenceNode(t) &&
    ts.isQualifiedName(t.typeName) &&
    t.typeName.right.text === node.name.text
  );
}

export function duplicateTypeNames(files: string[], root: string): string[] {
  const where = new Map<string, Set<string>>();
  for (const file of files) {
    const src = ts.createSourceFile(
      file,
      fs.readFileSync(file, "utf8"),
      ts.ScriptTarget.ES2022,
      true,
    );
    const add = (name: string) =>
      where.set(name, new Set([...(where.get(name) ?? []), path.relative(root, file)]));
    for (const node of src.statements) {
      if (
        (ts.isInterfaceDeclaration(node) ||
          ts.isEnumDeclaration(node) ||
          ts.isClassDeclaration(node) ||
          ts.isTypeAliasDeclaration(node)) &&
        node.name
      ) {
        // `const X = {...} as const; type X = ...` declares X twice in one file on purpose: counted once per file.
        // `type X = Module.X` (the package entry naming a lazily loaded class) declares nothing new: not counted.
        if (ts.isTypeAliasDeclaration(node) && isAliasOfSameName(node)) continue;
        add(node.name.text);
      }
    }
  }
  return [...where]
    .filter(([, files]) => files.size > 1)
    .map(([name, files]) => `${name} (${[...files].join(", ")})`);
}

/** Schema type names (`<pkg>:index:<Name>`) declared more than once in the given sources: ambiguous to the analyzer. */
export function ambiguousSchemaTypes(schema: Json, files: string[], root: string): string[] {
  const names = new Set(Object.keys(schema.types ?? {}).map((t) => t.split(":")[2]));
  return duplicateTypeNames(files, root).filter((d) => names.has(d.split(" ")[0]));
}

/** Files importing the @pulumi/azure-native root (about 2 s and all of Azure, instead of one submodule). */
export function azureNativeRootImports(files: string[], root: string): string[] {
  const rootImport = /(from\s+|require\(\s*|import\(\s*)["']@pulumi\/azure-native["']/;
  return files
    .filter((f) => rootImport.test(fs.readFileSync(f, "utf8")))
    .map((f) => path.relative(root, f));
}
