// The plugin's entry: package.json `main`, what `pulumi-language-nodejs` runs for this package.
//
// The language host starts `node @pulumi/pulumi/cmd/run-plugin <plugin directory> <engine address>`, which require()s
// the directory, i.e. package.json `main`, i.e. the compiled form of this file (`npm install` of the plugin runs the
// `prepare` script, which compiles it). It serves the precomputed schema (./serve). It exports no ComponentResource
// classes: exported classes would make run-plugin start its own host, which runs the schema analyzer (a TypeScript
// program over the provider and the cloud SDKs' typings) on every start. Details and timings: docs/plugin.md.
import { serve } from "./serve";

// The engine address (and nothing else) follows the program directory on the command line.
export = serve(process.argv.slice(2));
