// The one input-check and error path of every component. The same pure rules run on the values that are plain at
// construction (the error reaches the user before any Console request) and on the rest once they resolve; whatever
// fails reaches the user as one error type in one format:
//
//   <Component> <name>: <field>: <problem>. <fix>
//
// one line per problem. The type is a `pulumi.ResourceError` with its stack hidden, the only error Pulumi's CLI
// prints without a JavaScript stack trace (`@pulumi/pulumi/cmd/run`), tied to the component so the CLI shows
// which resource failed.
import * as pulumi from "@pulumi/pulumi";
import { ConsoleError, ConsoleSettingsError } from "./errors";
import { redact } from "./secrets";
import { isPlainDeep } from "./plain";
import { InputProblem, ProblemsError } from "./problems";

/** Ends a message with a full stop unless it already ends a sentence. */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?:)"'`\]]$/.test(t) ? t : `${t}.`;
}

/** What every component throws. Its message never holds a credential (redacted) and never a stack trace. */
export class DefenderError extends pulumi.ResourceError {
  /** Type token's last part, such as `ProtectedLambda`. */
  readonly component: string;
  /** The component resource's name. */
  readonly resourceName: string;
  /** The problems, each naming its field. */
  readonly problems: InputProblem[];

  constructor(
    component: string,
    resourceName: string,
    problems: InputProblem[],
    resource: pulumi.Resource | undefined,
  ) {
    const clean = problems.map((p) => ({ field: p.field, message: sentence(redact(p.message)) }));
    super(
      clean.map((p) => `${component} ${resourceName}: ${p.field}: ${p.message}`).join("\n"),
      resource,
      true,
    );
    this.name = "DefenderError";
    // No stack frames: the CLI prints this error by its message only, yet formats it with util.inspect first, and
    // on Node.js 20 util.inspect with colours loops on a frame such as `node_modules/@pulumi/output.ts` (the
    // path @pulumi/pulumi's source maps give): 16 to 28 s of CPU, then a RangeError, before a bad input reached
    // through an Output was printed. Reproduced outside Pulumi with that stack text alone.
    this.stack = `${this.name}: ${this.message}`;
    this.component = component;
    this.resourceName = resourceName;
    this.problems = clean;
  }
}

/** The problems an error of ours carries, or undefined for anything else (a bug keeps its stack). */
export function problemsOf(error: unknown): InputProblem[] | undefined {
  if (error instanceof DefenderError || error instanceof ProblemsError) return error.problems;
  if (error instanceof ConsoleSettingsError)
    return error.problems.map((p) => ({ field: "console", message: p }));
  if (error instanceof ConsoleError) return [{ field: "console", message: error.message }];
  return undefined;
}

type Values<T extends readonly unknown[]> = { [K in keyof T]: pulumi.Unwrap<T[K]> };

/** A component's checks and failures: every component makes one, first thing in its constructor. */
export class Checks {
  constructor(
    /** Such as `ProtectedLambda`. */
    readonly component: string,
    readonly name: string,
    /** The component; undefined for the stack tools, which check other resources' inputs. */
    readonly resource: pulumi.Resource | undefined,
  ) {}

  /** The component's error for `problems`. */
  error(problems: InputProblem[]): DefenderError {
    return new DefenderError(this.component, this.name, problems, this.resource);
  }

  /** Throws the component's error for `problems` when there are any. */
  fail(problems: InputProblem[]): void {
    if (problems.length) throw this.error(problems);
  }

  /**
   * `error` as the component's error when it is one of ours (problems, Console, settings), else unchanged. Another
   * component's error (a DefenderLayer's, reached through a ProtectedLambda) keeps the name of the one that failed.
   */
  rethrow(error: unknown): never {
    if (error instanceof DefenderError) throw error;
    const problems = problemsOf(error);
    throw problems ? this.error(problems) : error;
  }

  /** `fn`, with its failures (thrown or rejected) turned into the component's error: for apply callbacks. */
  guard<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      try {
        const result = fn(...args);
        if (result instanceof Promise) return result.catch((e: unknown) => this.rethrow(e)) as R;
        return result;
      } catch (e) {
        return this.rethrow(e);
      }
    };
  }

  /**
   * `rule` over the inputs' values, as an Output. When every input is known now, the rule runs now and a failure
   * is thrown from the constructor (before any Console request); otherwise it runs once they resolve, and a
   * failure fails the Output. Either way the failure is the component's error.
   */
  check<T extends readonly unknown[], R>(
    inputs: readonly [...T],
    rule: (values: Values<T>) => R,
  ): pulumi.Output<Awaited<R>> {
    if (inputs.every(isPlainDeep)) {
      return pulumi.output(this.guard(rule)(inputs as unknown as Values<T>)) as pulumi.Output<
        Awaited<R>
      >;
    }
    return (pulumi.all(inputs as unknown as unknown[]) as pulumi.Output<unknown>).apply((values) =>
      this.guard(rule)(values as Values<T>),
    ) as pulumi.Output<Awaited<R>>;
  }
}
