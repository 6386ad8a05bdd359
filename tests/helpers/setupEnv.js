// Every networked test talks to the simulator on loopback: keep a developer's HTTPS_PROXY from routing it elsewhere.
const loopback = "127.0.0.1,localhost";
for (const name of ["NO_PROXY", "no_proxy"]) {
  process.env[name] = process.env[name] ? `${process.env[name]},${loopback}` : loopback;
}
