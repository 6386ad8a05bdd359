// A minimal HTTP service: the program the App-Embedded Defender wraps.
const http = require("http");

const port = Number(process.env.PORT ?? 8080);
http
  .createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, path: req.url }));
  })
  .listen(port, () => console.log(`orders-api listening on ${port}`));
