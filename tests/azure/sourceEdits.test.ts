// Edge cases of the three edits, one behaviour per test: C# Init calls, nuget.config sources, .csproj references.
import { addServerlessInit, findAzureFunctions } from "../../provider/azure/azureFunctionsSource";
import { maskCSharp } from "../../provider/azure/csharpSource";
import {
  addLocalNuGetSource,
  addTwistlockToCsproj,
  projectFileProblems,
} from "../../provider/azure/azureProject";
import { sameVersion } from "../../provider/azure/azureProjectFiles";

const cs = (body: string) => `using Microsoft.Extensions.Logging;\n\nnamespace N;\n\n${body}\n`;

describe("C# Init calls", () => {
  test("masking keeps offsets and hides braces in comments, strings, raw and interpolated strings", () => {
    const src =
      'var a = $"{x} }"; // {\n/* { */ var b = """ { """; var c = @"{""}"; var d = \'{\';';
    const masked = maskCSharp(src);
    expect(masked).toHaveLength(src.length);
    expect(masked.replace(/[^{}]/g, "")).toBe("");
    expect(masked.split("\n")).toHaveLength(2);
  });

  test("an empty body gets the call one level deeper than its braces, in the file's indentation (tabs)", () => {
    const src = cs(
      'public static class F\n{\n\t[FunctionName("A")]\n\tpublic static void A(ILogger log)\n\t{\n\t}\n}',
    );
    expect(addServerlessInit(src).text).toContain("\t{\n\t\tTwistlock.Serverless.Init(log);\n\t}");
  });

  test("a function that already calls Init is left alone, in any form", () => {
    for (const call of ["Twistlock.Serverless.Init(log);", "Serverless.Init(log, context);"]) {
      const src = cs(
        `public static class F\n{\n    [FunctionName("A")]\n    public static void A(ILogger log)\n    {\n        ${call}\n    }\n}`,
      );
      const result = addServerlessInit(src);
      expect(result.text).toBe(src);
      expect(result.functions[0].hasInit).toBe(true);
    }
  });

  test("a call in a comment or string does not count as Init", () => {
    const src = cs(
      'public static class F\n{\n    [FunctionName("A")]\n    public static void A(ILogger log)\n    {\n        // Twistlock.Serverless.Init(log);\n        log.LogInformation("Serverless.Init(");\n    }\n}',
    );
    expect(addServerlessInit(src).added).toEqual(["A"]);
  });

  test("a static function cannot use an instance _logger field, so it falls back to its FunctionContext", () => {
    const src = cs(
      'public class F\n{\n    private readonly ILogger<F> _logger;\n    [Function("A")]\n    public static void A(FunctionContext ctx)\n    {\n        Work();\n    }\n}',
    );
    expect(findAzureFunctions(src)[0].logger).toBe('ctx.GetLogger("A")');
  });

  test("a primary constructor's ILogger parameter is used, and an ILogger parameter beats both", () => {
    const primary = cs(
      "public class F(ILogger<F> logger)\n{\n    [Function(nameof(A))]\n    public void A(FunctionContext c)\n    {\n        Work();\n    }\n}",
    );
    expect(findAzureFunctions(primary)[0]).toMatchObject({ name: "A", logger: "logger" });
    const param = cs(
      'public class F\n{\n    private static ILogger _log;\n    [FunctionName("A")]\n    public static void A([QueueTrigger("q")] string m, Microsoft.Extensions.Logging.ILogger logger)\n    {\n        Work();\n    }\n}',
    );
    expect(findAzureFunctions(param)[0].logger).toBe("logger");
  });

  test("a nested class's logger field does not leak to the outer class's functions", () => {
    const src = cs(
      'public static class Outer\n{\n    class Inner { private ILogger _logger; }\n    [Function("A")]\n    public static void A(string s)\n    {\n    }\n}',
    );
    expect(findAzureFunctions(src)[0].problem).toMatch(/no `ILogger` field/);
  });

  test("fully qualified attributes, generic return types and tuple returns are recognised", () => {
    const src = cs(
      'public class F\n{\n    private ILogger _logger;\n    [Microsoft.Azure.Functions.Worker.Function("A")]\n    public async Task<(int, string)> A(string s)\n    {\n        return (1, s);\n    }\n    [FunctionAttribute("B"), Other]\n    public (int a, int b) B(ILogger log) { return (1, 2); }\n}',
    );
    expect(findAzureFunctions(src).map((f) => [f.name, f.logger])).toEqual([
      ["A", "_logger"],
      ["B", "log"],
    ]);
  });

  test("an expression-bodied method returning a value becomes a block that returns it", () => {
    const src = cs(
      'public static class F\n{\n    [FunctionName("A")]\n    public static Task<string> A(string s, ILogger log) => Task.FromResult(s);\n}',
    );
    expect(addServerlessInit(src).text).toContain(
      "    public static Task<string> A(string s, ILogger log)\n    {\n        Twistlock.Serverless.Init(log);\n        return Task.FromResult(s);\n    }\n}",
    );
  });

  test("using Twistlock goes after System usings in ordinal order, or on top when there are none", () => {
    const src =
      'using System;\nusing Microsoft.Extensions.Logging;\nusing Zed.Tools;\n\npublic static class F\n{\n    [FunctionName("A")]\n    public static void A(ILogger log)\n    {\n    }\n}\n';
    expect(addServerlessInit(src).text).toMatch(
      /^using System;\nusing Microsoft.Extensions.Logging;\nusing Twistlock;\nusing Zed.Tools;\n/,
    );
    const bare =
      '// header\npublic static class F\n{\n    [FunctionName("A")]\n    public static void A(ILogger log)\n    {\n    }\n}\n';
    expect(addServerlessInit(bare).text).toMatch(
      /^\/\/ header\nusing Twistlock;\n\npublic static class F/,
    );
    const has = `using Twistlock;\n${bare}`;
    expect(addServerlessInit(has).text.match(/using Twistlock;/g)).toHaveLength(1);
  });

  test("[Function] on something that is not a method, or in an indexer, is not a function", () => {
    expect(findAzureFunctions(cs('var x = map[Function("a")];\npublic class C { }'))).toEqual([]);
  });
});

describe("nuget.config", () => {
  const wrap = (inner: string) =>
    `<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n${inner}</configuration>\n`;

  test("a config without packageSources gets one as the first child", () => {
    const out = addLocalNuGetSource(
      wrap('  <config>\n    <add key="globalPackagesFolder" value="p" />\n  </config>\n'),
    );
    expect(out).toBe(
      wrap(
        '  <packageSources>\n    <add key="local-packages" value="./twistlock" />\n  </packageSources>\n  <config>\n    <add key="globalPackagesFolder" value="p" />\n  </config>\n',
      ),
    );
  });

  test("a self-closing packageSources is expanded; CRLF files stay CRLF", () => {
    const out = addLocalNuGetSource(wrap("  <packageSources />\n").replace(/\n/g, "\r\n"));
    expect(out).toBe(
      wrap(
        '  <packageSources>\n    <add key="local-packages" value="./twistlock" />\n  </packageSources>\n',
      ).replace(/\n/g, "\r\n"),
    );
  });

  test("an existing source for twistlock (any spelling) is kept; a taken key gets another name", () => {
    const has = wrap(
      '  <packageSources>\n    <add key="defender" value=".\\twistlock\\" />\n  </packageSources>\n',
    );
    expect(addLocalNuGetSource(has)).toBe(has);
    const taken = addLocalNuGetSource(
      wrap(
        '  <packageSources>\n    <add key="local-packages" value="../pkgs" />\n  </packageSources>\n',
      ),
    );
    expect(taken).toContain('<add key="twistlock-local-packages" value="./twistlock" />');
    expect(addLocalNuGetSource(taken)).toBe(taken);
  });

  test("a source mapping without the key gains a mapping of Twistlock; an existing one gains the pattern", () => {
    const mapped = wrap(
      '  <packageSources>\n    <add key="local-packages" value="./twistlock" />\n  </packageSources>\n  <packageSourceMapping>\n    <packageSource key="local-packages">\n      <package pattern="Other" />\n    </packageSource>\n  </packageSourceMapping>\n',
    );
    expect(addLocalNuGetSource(mapped)).toContain(
      '<package pattern="Other" />\n      <package pattern="Twistlock" />\n    </packageSource>',
    );
  });

  test("comments that look like elements are ignored, and broken XML is refused", () => {
    const commented = wrap(
      '  <!-- <packageSources><add key="x" value="./twistlock" /></packageSources> -->\n',
    );
    expect(addLocalNuGetSource(commented)).toContain(
      '<packageSources>\n    <add key="local-packages"',
    );
    expect(() => addLocalNuGetSource("<configuration><packageSources></configuration>")).toThrow(
      /does not close/,
    );
  });
});

describe(".csproj", () => {
  const proj =
    '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n    <PackageReference Include="Twistlock">\n      <Version>34.03.100</Version>\n    </PackageReference>\n  </ItemGroup>\n</Project>\n';

  test("a Version child element is updated in place", () => {
    const out = addTwistlockToCsproj(proj, "34.04.145");
    expect(out).toContain("<Version>34.04.145</Version>");
    expect(out.match(/PackageReference/g)).toHaveLength(2);
    expect(projectFileProblems("a.csproj", out, undefined, "34.04.145")).toEqual([
      "there is no nuget.config with the ./twistlock source",
    ]);
  });

  test("the check names a stale reference and a missing copy rule", () => {
    expect(
      projectFileProblems(
        "a.csproj",
        proj,
        '<configuration><packageSources><add key="l" value="twistlock" /></packageSources></configuration>',
        "34.04.145",
      ),
    ).toEqual([
      "a.csproj references Twistlock 34.03.100, not 34.04.145",
      "a.csproj does not copy twistlock\\** to the build output (TwistlockFiles)",
    ]);
  });

  test("NuGet versions compare as NuGet does", () => {
    expect(sameVersion("34.04.145", "34.4.145")).toBe(true);
    expect(sameVersion("34.04.145", "34.04.145.0")).toBe(true);
    expect(sameVersion("34.04.145", "34.04.146")).toBe(false);
  });
});
