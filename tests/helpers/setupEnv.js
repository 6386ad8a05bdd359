// Tests give the Console settings they mean to test: a developer's own PRISMACLOUDCOMPUTE_* variables (a real token,
// a project) must not leak into them, and a developer's HTTPS_PROXY must not route the simulator on loopback.
for (const name of Object.keys(process.env)) {
  if (name.startsWith("PRISMACLOUDCOMPUTE_")) delete process.env[name];
}
const loopback = "127.0.0.1,localhost";
for (const name of ["NO_PROXY", "no_proxy"]) {
  process.env[name] = process.env[name] ? `${process.env[name]},${loopback}` : loopback;
}
