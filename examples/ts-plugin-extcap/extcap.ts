/**
 * The `accesslog` TypeScript plugin as a Wireshark extcap program: what Wireshark/Logray/tshark run (through
 * the wrapper `install-extcap.sh` writes) to list the interface, ask for its config and capture into a fifo.
 * Same protocol as `sysray extcap` (it is `runExtcap` of `@sysray/plugin-api`), with a TypeScript plugin.
 *
 *   tsx extcap.ts --extcap-interfaces
 *   tsx extcap.ts --extcap-interface accesslog --extcap-config
 *   tsx extcap.ts --capture --extcap-interface accesslog --fifo FIFO --file /var/log/nginx/access.log [--follow]
 */
import { runExtcap } from '@sysray/plugin-api';
import { accessLogPlugin } from './plugin.js';

// Wireshark stops a capture with SIGTERM (SIGINT from a terminal): end the stream cleanly.
const controller = new AbortController();
process.once('SIGTERM', () => controller.abort());
process.once('SIGINT', () => controller.abort());

const code = await runExtcap(process.argv.slice(2), {
  plugins: [{ plugin: accessLogPlugin() }],
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
process.exit(code);
