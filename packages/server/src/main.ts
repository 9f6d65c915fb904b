// sshcc-server's entry: with no options it speaks the sshcc protocol on stdin/stdout (as an sshd
// Subsystem or an exec'd command). stdout then carries frames only; anything else goes to stderr.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatError, exitCodeOf } from '@sshcc/core';
import { checkReport } from './check';
import { serve } from './serve';
import { SERVER_VERSION } from './version';
import { runSlotCoordinator } from './slots/run-slot-coordinator';

/** core's exit code for 'config': --check found a setting it could not use. */
const EXIT_CONFIG = 102;

const USAGE = `usage: sshcc-server [--version | --check | --print-sshd-config]
  (no option)           serve sshcc jobs on stdin/stdout
  --version             print the version
  --check               print the config and the allowed compilers with their fingerprints
  --print-sshd-config   print the sshd_config line that runs this install as the sshcc subsystem
`;

/** The sshd_config line for this install: this node, this package's bin script. */
export function sshdConfigLine(): string {
  return `Subsystem sshcc ${subsystemCommand().join(' ')}`;
}

function subsystemCommand(): string[] {
  return [process.execPath, resolve(__dirname, '..', 'bin', 'sshcc-server.js')];
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        version: { type: 'boolean' },
        check: { type: 'boolean' },
        'print-sshd-config': { type: 'boolean' },
        // Not in the usage: started by a server that found none (slots/slot-link.ts).
        'slots-coordinator': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`sshcc-server: ${(err as Error).message}\n${USAGE}`);
    return 100;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`sshcc-server ${SERVER_VERSION}\n`);
    return 0;
  }
  if (values['print-sshd-config']) {
    // sshd splits the command at spaces and drops quotes: a path with a space cannot be expressed.
    if (subsystemCommand().some((part) => /\s/.test(part))) {
      process.stderr.write('sshcc-server: warning: a path contains whitespace, which sshd cannot run as a subsystem\n');
    }
    process.stdout.write(`${sshdConfigLine()}\n`);
    return 0;
  }
  if (values['slots-coordinator']) return runSlotCoordinator(process.env);
  if (values.check) {
    const report = await checkReport();
    process.stdout.write(report.text);
    return report.ok ? 0 : EXIT_CONFIG;
  }
  // Frames own stdout from here: a stray console.log would corrupt the stream, so it goes to stderr.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const code = await serve({ input: process.stdin, output: process.stdout }, process.env, {
    coordinator: [process.execPath, ...process.execArgv, process.argv[1] as string, '--slots-coordinator'],
  });
  process.exitCode = code;
  // Exit now, even with stdin still open (a client that broke the protocol may not close it), but
  // only once the last frame (the error frame that says why) has been flushed.
  await new Promise<void>((done) => {
    if (process.stdout.writableFinished || process.stdout.destroyed) return done();
    process.stdout.once('finish', done);
    process.stdout.once('error', () => done());
  });
  process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${formatError(err)}\n`);
    process.exitCode = exitCodeOf(err);
  },
);
