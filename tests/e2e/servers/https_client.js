#!/usr/bin/env node
// An unmodified Node `https` client: node https_client.js URL... fetches the URLs one after
// another on one keep-alive connection (certificate not verified: the tests' is self-signed)
// and prints one line per answer: "<status> <url>".
'use strict';
const https = require('https');

const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });

function get(url) {
  return new Promise((resolve, reject) => {
    https.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

(async () => {
  for (const url of process.argv.slice(2)) {
    process.stdout.write(`${await get(url)} ${url}\n`);
  }
  agent.destroy();
})().catch((e) => { process.stderr.write(`https_client: ${e.message}\n`); process.exit(1); });
