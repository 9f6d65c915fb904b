// Entry of the agent process: what clients spawn (`node dist/agent/main.js`, detached, stdio ignored).
import { exitCodeOf, formatError } from '@sshcc/core';
import { CompileRouter } from '../job';
import { statsFileIn } from '../stats/stats-file';
import { startAgentFeed } from './agent-feed';
import { fileLog } from './agent-log';
import { localAgentPaths } from '../thin/local-agent-paths';
import { runAgentProcess } from './run-agent-process';

process.title = 'sshcc-agent';
const paths = localAgentPaths(process.env);
const log = fileLog(paths.logFile);
const feed = startAgentFeed({ statsFile: statsFileIn(paths.configDir), log });
const router = new CompileRouter(log, feed.feed);
runAgentProcess({ handleCompile: (request, { signal }) => router.handle(request, signal), reports: feed.reports, log }).then(
  async (code) => {
    await router.close();
    await feed.close();
    process.exit(code);
  },
  (err: unknown) => {
    // Detached, stderr goes nowhere: the start-up failure goes to the log the client points at.
    const line = formatError(err);
    try {
      log(line);
    } catch {
      // no folder to log in
    }
    process.stderr.write(`${line}\n`);
    process.exit(exitCodeOf(err));
  },
);
