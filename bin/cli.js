#!/usr/bin/env node
// `npx @inference/tracing <command>`: the local collector, web view and trace/span commands.
"use strict";
require("../dist/cli/main.js").main(process.argv.slice(2));
