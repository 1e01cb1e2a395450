#!/usr/bin/env node
import { PROCESS_IO } from "./context.js";
import { runCli } from "./run.js";

const code = await runCli(process.argv, PROCESS_IO);
// `serve` keeps running; every other command ends here.
process.exitCode = code;
