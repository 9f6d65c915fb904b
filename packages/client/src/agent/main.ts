// Entry of the agent process: what clients spawn (`node dist/agent/main.js`, detached, stdio ignored).
import { exitCodeOf, formatError } from '@sshcc/core';
import { fileLog } from './agent-log';
import { localAgentPaths } from '../wire/local-agent-paths';
import { runAgent } from './run-agent';

process.title = 'sshcc-agent';
runAgent().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Detached, stderr goes nowhere: the start-up failure goes to the log the client points at.
    const line = formatError(err);
    try {
      fileLog(localAgentPaths(process.env).logFile)(line);
    } catch {
      // no folder to log in
    }
    process.stderr.write(`${line}\n`);
    process.exit(exitCodeOf(err));
  },
);
