#!/usr/bin/env node
'use strict';
// The `convlab` command: a thin shim over the bundled CLI (built by `npm run build`).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error(`convlab: ${cli} is missing; run \`npm run build\` (or \`npm ci\`) in ${path.dirname(__dirname)} first.`);
  process.exit(2);
}
require(cli);
