// The "realistic service" of scripts/bench.sh: each request costs about 1 ms of CPU in its
// handler (hashing, then a small JSON answer), as a service doing real work does, rather than
// the near-empty handlers of the other workloads. One worker per CPU so the service can use
// the whole machine: then every CPU cycle the tracer takes is a cycle the service loses, and
// the throughput ratio shows it.
//
//   [WORK_ITERATIONS=N] node work_service.js [PORT] [WORKERS]
//
// PORT 0 (the default) takes a free port; WORKERS defaults to the number of CPUs. Prints
// "listening on PORT (N workers, X SHA-256 rounds per request)" once every worker accepts.
'use strict';
const cluster = require('cluster');
const crypto = require('crypto');
const http = require('http');
const os = require('os');

// SHA-256 rounds per request: about 1 ms of CPU on the 2.6 GHz AMD EPYC virtual machines this
// was written on. A fixed amount rather than one calibrated at start: calibrating on a busy
// machine gave anything from 0.6 to 1.6 times this, and runs must do the same work to compare.
const DEFAULT_ITERATIONS = 600;
const INPUT = Buffer.alloc(256, 'z');

// One unit of the handler's work; the handler repeats it `iterations` times.
function work(iterations) {
  let digest = INPUT;
  for (let i = 0; i < iterations; i++) digest = crypto.createHash('sha256').update(digest).update(INPUT).digest();
  return digest.toString('hex');
}

if (cluster.isPrimary) {
  const port = Number(process.argv[2] || 0);
  const workers = Number(process.argv[3] || os.availableParallelism());
  const iterations = Number(process.env.WORK_ITERATIONS || DEFAULT_ITERATIONS);
  if (!Number.isInteger(iterations) || iterations < 1) {
    process.stderr.write(`work_service: WORK_ITERATIONS must be a positive integer, got ${process.env.WORK_ITERATIONS}\n`);
    process.exit(2);
  }
  // Each worker accepts on the shared socket itself: no hop through the primary, and the
  // tracer sees each connection in the process that serves it.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let listening = 0;
  let boundPort = port;
  let stopping = false;
  // All workers ask for the same PORT: the primary binds once and shares that socket (with
  // port 0, the free port it got), so they accept on one port.
  for (let i = 0; i < workers; i++) {
    cluster.fork({ WORK_ITERATIONS: String(iterations), WORK_PORT: String(port) });
  }
  cluster.on('listening', (worker, address) => {
    boundPort = address.port;
    listening += 1;
    if (listening === workers) {
      process.stdout.write(`listening on ${boundPort} (${workers} workers, ${iterations} SHA-256 rounds per request)\n`);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      process.stderr.write(`work_service: worker ${worker.process.pid} died (${signal || code})\n`);
      process.exit(1);
    }
  });
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      stopping = true;
      for (const w of Object.values(cluster.workers)) w.kill();
      process.exit(0);
    });
  }
} else {
  const iterations = Number(process.env.WORK_ITERATIONS);
  const server = http.createServer((req, res) => {
    const body = JSON.stringify({ path: req.url, digest: work(iterations) });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.listen(Number(process.env.WORK_PORT), '127.0.0.1');
}
