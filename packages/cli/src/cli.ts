#!/usr/bin/env node
/**
 * The `sysray` binary: runs {@link runCli} on the process arguments and exits with its code.
 * A reader that goes away (`sysray dump big.pcapng | head`) ends the run quietly.
 */
import { runCli } from './run.js';

// `runCli` handles errors of the output streams while it runs. One that arrives after its last write
// (the reader of a pipe left just then) is not a failure of the run when it is EPIPE; anything else is.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    if (stream === process.stdout) process.stderr.write(`sysray: ${error.code ?? 'EIO'}: ${error.message}\n`);
    process.exitCode = 1;
  });
}

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sysray: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
