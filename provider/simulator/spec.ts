// Request validation against the official spec schemas (extracted into ./spec, see SOURCES.md), with ajv.
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { ConsoleHttpError } from "./http";
import schemas3404 from "./spec/compute-34.04-defender-schemas.json";
import schemas3207 from "./spec/compute-32.07-defender-schemas.json";
import encodeSchema from "./spec/encode-request.schema.json";

export type RequestSchema =
  | "api.AuthenticationRequest"
  | "shared.AppEmbeddedEmbedRequest"
  | "shared.ServerlessLayerBundleRequest"
  | "shared.ServerlessBundleRequest"
  | "encode";

export interface SpecDocument {
  source: { version: string };
  components: { schemas: Record<string, object> };
  parameters: Record<string, { name: string; in: string; schema: object }[]>;
}

/** The spec a simulated Console version validates with: 32.07 for Consoles before 34.00, else 34.04. */
export function specFor(version: string): SpecDocument {
  const major = Number(version.split(".")[0]);
  return (major < 34 ? schemas3207 : schemas3404) as unknown as SpecDocument;
}

function describe(error: ErrorObject): string {
  const field = error.instancePath ? error.instancePath.slice(1).replace(/\//g, ".") : "body";
  if (error.keyword === "enum") {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
    return `invalid ${field}: must be one of ${allowed.map(String).join(", ")}`;
  }
  if (error.keyword === "required") {
    return `missing ${(error.params as { missingProperty: string }).missingProperty}`;
  }
  return `invalid ${field}: ${error.message ?? "does not match the schema"}`;
}

export class SpecValidator {
  private readonly ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly spec: SpecDocument) {
    this.ajv.addSchema(spec as object, "compute");
    this.ajv.addSchema(encodeSchema as object, "encode");
  }

  private validator(name: RequestSchema): ValidateFunction {
    let fn = this.cache.get(name);
    if (!fn) {
      const ref = name === "encode" ? "encode" : `compute#/components/schemas/${name}`;
      fn = this.ajv.getSchema(ref);
      if (!fn) throw new Error(`no schema ${name}`);
      this.cache.set(name, fn);
    }
    return fn;
  }

  /** Parses and validates a JSON body; a 400 `{"err"}` naming the field when it does not fit. */
  body<T>(raw: Buffer, name: RequestSchema): T {
    let value: unknown;
    try {
      value = JSON.parse(raw.toString("utf8") || "null");
    } catch (e) {
      throw new ConsoleHttpError(400, `failed to parse request body: ${(e as Error).message}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new ConsoleHttpError(400, "failed to parse request body: expected a JSON object");
    }
    const validate = this.validator(name);
    if (!validate(value)) throw new ConsoleHttpError(400, describe(validate.errors![0]));
    return value as T;
  }

  /** Checks query parameters declared by the operation (booleans, enums); unknown ones are ignored, as Go does. */
  query(operation: string, query: Record<string, string>): void {
    for (const param of this.spec.parameters[operation] ?? []) {
      const value = query[param.name];
      if (value === undefined) continue;
      const schema = param.schema as { type?: string; enum?: string[] };
      if (
        schema.type === "boolean" &&
        !["true", "false", "1", "0", "True", "False"].includes(value)
      ) {
        throw new ConsoleHttpError(
          400,
          `invalid ${param.name}: ${JSON.stringify(value)} is not a boolean`,
        );
      }
      if (schema.enum && value !== "" && !schema.enum.includes(value)) {
        throw new ConsoleHttpError(
          400,
          `invalid ${param.name}: must be one of ${schema.enum.join(", ")}`,
        );
      }
    }
  }

  /** The runtime values this Console knows (`shared.LambdaRuntimeType`). */
  runtimes(): string[] {
    return (this.spec.components.schemas["shared.LambdaRuntimeType"] as { enum: string[] }).enum;
  }
}

export function queryBool(query: Record<string, string>, name: string): boolean {
  return ["true", "1", "True"].includes(query[name] ?? "");
}
