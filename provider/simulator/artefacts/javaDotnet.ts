// Java and .NET pieces of the simulated serverless Defender. They cannot run here (no JVM or .NET on the test
// machines), so they are well-formed placeholders: a jar and a nupkg that are real zips with the metadata build
// tools read (Maven POM, NuGet .nuspec with id Twistlock and the Console version), each with a README.
import { zipBuffer } from "./zip";

const readme = (what: string, version: string) =>
  `# ${what} (Prisma Cloud Compute ${version}): SIMULATED\n\n` +
  "Made by the prisma-defender Console simulator. This is a placeholder with the real artefact's name and\n" +
  "metadata; it contains no Defender and cannot protect or run a function.\n";

export function javaPom(version: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.twistlock.serverless</groupId>
  <artifactId>defender</artifactId>
  <version>${version}</version>
  <packaging>jar</packaging>
  <description>Prisma Cloud Compute serverless Defender (simulated placeholder)</description>
</project>
`;
}

export function javaJar(version: string): Promise<Buffer> {
  return zipBuffer([
    {
      path: "META-INF/MANIFEST.MF",
      data:
        "Manifest-Version: 1.0\r\nImplementation-Title: com.twistlock.serverless:defender\r\n" +
        `Implementation-Version: ${version}\r\nCreated-By: prisma-defender console simulator\r\n\r\n`,
    },
    { path: "README.md", data: readme("Twistlock serverless Defender for Java", version) },
  ]);
}

export function nuspec(version: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>Twistlock</id>
    <version>${version}</version>
    <authors>Palo Alto Networks (simulated)</authors>
    <description>Prisma Cloud Compute serverless Defender (simulated placeholder: contains no Defender)</description>
  </metadata>
</package>
`;
}

/** MSBuild targets the real package uses to copy the `twistlock/` files (`@(TwistlockFiles)`). */
const targets = `<Project>
  <ItemGroup>
    <TwistlockFiles Include="$(MSBuildProjectDirectory)/twistlock/**/*" Exclude="$(MSBuildProjectDirectory)/twistlock/*.nupkg" />
  </ItemGroup>
</Project>
`;

export function nupkg(version: string): Promise<Buffer> {
  return zipBuffer([
    { path: "Twistlock.nuspec", data: nuspec(version) },
    { path: "build/Twistlock.targets", data: targets },
    { path: "lib/netstandard2.0/_._", data: "" },
    {
      path: "[Content_Types].xml",
      data:
        '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/' +
        'content-types"><Default Extension="nuspec" ContentType="application/octet" /><Default ' +
        'Extension="targets" ContentType="application/octet" /></Types>',
    },
    { path: "README.md", data: readme("Twistlock serverless Defender for .NET", version) },
  ]);
}

export { readme as placeholderReadme };
