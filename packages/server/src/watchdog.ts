import { spawn, type ChildProcess } from 'node:child_process';

// sshcc-server cleans up after itself on every exit it sees (sandbox.ts), but a SIGKILL (the OOM
// killer, `kill -9`, a crashed sshd session) gives it no chance: its compiler runs on in its own process
// group and its job dir stays. So a small shell process, started with the first job, keeps the list of
// live compiler groups and job dirs on its stdin. When the server dies by any means the pipe closes,
// and the watchdog kills those groups and removes those dirs. `setpriv --pdeathsig` would reach only
// the compiler driver, not the cc1 and as it starts; the group kill reaches them all.

/**
 * `+g<pgid>` / `-g<pgid>` and `+d<path>` / `-d<path>`, one per line; at end of input, kill the groups
 * and remove the dirs still listed. Pure POSIX sh without forks while it listens: it costs nothing
 * per job but two short writes.
 */
const WATCHDOG_SCRIPT = `set -f
nl='
'
g=' '
d=$nl
while IFS= read -r l; do
  v=\${l#??}
  case $l in
    +g*) g="$g$v " ;;
    -g*) case $g in *" $v "*) g="\${g%%" $v "*} \${g#*" $v "}" ;; esac ;;
    +d*) d="$d$v$nl" ;;
    -d*) case $d in *"$nl$v$nl"*) d="\${d%%"$nl$v$nl"*}$nl\${d#*"$nl$v$nl"}" ;; esac ;;
  esac
done
for v in $g; do kill -s KILL -- "-$v" 2>/dev/null; done
IFS=$nl
for v in $d; do rm -rf -- "$v"; done
`;

export interface Watchdog {
  watchGroup(pgid: number): void;
  forgetGroup(pgid: number): void;
  watchDir(path: string): void;
  forgetDir(path: string): void;
  /** Ends the watchdog without it doing anything (the server cleaned up itself). */
  disarm(): void;
}

const NONE: Watchdog = {
  watchGroup: () => undefined,
  forgetGroup: () => undefined,
  watchDir: () => undefined,
  forgetDir: () => undefined,
  disarm: () => undefined,
};

/**
 * Starts the watchdog (`/bin/sh` in its own process group, so a signal to the server's group leaves it
 * to do its work). Where it cannot start, cleanup falls back to the server's own exit path alone.
 */
export function startWatchdog(shell = '/bin/sh'): Watchdog {
  let child: ChildProcess;
  try {
    child = spawn(shell, ['-c', WATCHDOG_SCRIPT, 'sshcc-server-watchdog'], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    return NONE;
  }
  const stdin = child.stdin;
  if (stdin === null) return NONE;
  let alive = true;
  child.once('error', () => (alive = false));
  child.once('exit', () => (alive = false));
  stdin.on('error', () => (alive = false));
  // Neither the watchdog nor its pipe may keep the server's event loop alive.
  child.unref();
  (stdin as unknown as { unref?: () => void }).unref?.();
  const tell = (line: string): void => {
    // A path with a newline cannot be listed (the server's own mkdtemp names never hold one).
    if (alive && !line.slice(2).includes('\n')) stdin.write(`${line}\n`);
  };
  return {
    watchGroup: (pgid) => tell(`+g${pgid}`),
    forgetGroup: (pgid) => tell(`-g${pgid}`),
    watchDir: (path) => tell(`+d${path}`),
    forgetDir: (path) => tell(`-d${path}`),
    disarm: () => {
      if (!alive) return;
      alive = false;
      child.kill('SIGKILL');
    },
  };
}
