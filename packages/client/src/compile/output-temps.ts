// The temp files an agent writes beside compile targets (write-outputs.ts), named by their owner, and a
// journal of the folders it writes them in, so that the next agent can remove what a SIGKILLed one left.
//
// Cost per job: the journal gets a line the first time this process writes into a folder, before its
// first temp there, and never again (a build writes into a handful of object folders). Entries are not
// removed when a temp is renamed: that would rewrite the journal on every job. The journal only says
// where to look; a folder listed with nothing left in it costs one readdir at the next start. It goes
// at a clean exit with no write in flight, and is emptied when nothing is in flight once it has grown
// long. No fsync: the journal has to outlive a killed process, not a crashed machine.
import { appendFileSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { readdir, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A process as its temp files name it: a pid alone may be another process's by the time anyone looks
 * (a pid namespace that starts again at 1, a busy machine), the pid with its start time is not.
 */
export interface TempOwner {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks from boot to the process's start; '0' where unknown. */
  readonly start: string;
}

const UNKNOWN_START = '0';

/** `.<target's name>.sshcc-<pid>-<start>-<n>.tmp` */
const TEMP_NAME = /^\..*\.sshcc-(\d+)-(\d+)-\d+\.tmp$/;

/** Long names are cut in a temp's name: it must stay within NAME_MAX (255 bytes) with its suffix. */
const MAX_NAME_BYTES_IN_TEMP = 128;

/** The journal is emptied once it names this many folders and no write is in flight. */
const COMPACT_AFTER_FOLDERS = 256;

/** The owner named by a temp file's name; null for any other name (or an older sshcc's temps). */
export function tempOwnerOf(name: string): TempOwner | null {
  const match = TEMP_NAME.exec(name);
  return match ? { pid: Number(match[1]), start: match[2] as string } : null;
}

/** This process, or another one that runs now; null when there is none by that pid. */
export function processOwner(pid: number = process.pid): TempOwner | null {
  const stat = readStat(pid);
  if (stat === undefined) return { pid, start: UNKNOWN_START };
  return stat === null ? null : { pid, start: stat.start };
}

/**
 * Whether the process a temp names still runs: same pid, same start time, not a zombie. Without /proc
 * (start unknown) the pid alone decides.
 */
export function isAlive(owner: TempOwner): boolean {
  const stat = readStat(owner.pid);
  if (stat === undefined || owner.start === UNKNOWN_START) return pidExists(owner.pid);
  return stat !== null && !stat.zombie && stat.start === owner.start;
}

/** The journal of `owner` among those based at `base` (`<agent dir>/agent.temps`): `<base>-<pid>-<start>`. */
export function journalPath(base: string, owner: TempOwner): string {
  return `${base}-${owner.pid}-${owner.start}`;
}

/** One process's temps: their names, and the journal of the folders they go in. */
export class OutputTemps {
  private readonly journaled = new Set<string>();
  private inFlight = 0;
  private serial = 0;

  /** journal: null to keep none (a process that no later agent will sweep after). */
  constructor(
    readonly owner: TempOwner,
    private readonly journal: string | null,
  ) {}

  /**
   * Call before creating temps in these folders: the journal names each one first. Returns the call
   * that says they are all renamed or removed.
   */
  begin(folders: readonly string[]): () => void {
    for (const folder of folders) {
      if (this.journal === null || this.journaled.has(folder)) continue;
      // Once per folder even when it fails: a journal that cannot be written (the agent's folder gone)
      // must not cost every job a failing open. The temps are still removed on any failure we live through.
      this.journaled.add(folder);
      try {
        appendFileSync(this.journal, `${JSON.stringify(folder)}\n`, { mode: 0o600 });
      } catch {
        // best effort
      }
    }
    this.inFlight += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight -= 1;
      if (this.inFlight === 0 && this.journaled.size >= COMPACT_AFTER_FOLDERS) this.compact();
    };
  }

  /** A temp file's path beside `target`, unique in this process, naming it as its owner. */
  tempPath(target: string): string {
    this.serial += 1;
    return join(dirname(target), `.${shortened(basename(target))}.sshcc-${this.owner.pid}-${this.owner.start}-${this.serial}.tmp`);
  }

  /** At a clean exit: the journal goes, unless a write is still in flight (the next agent then sweeps). */
  close(): void {
    if (this.journal === null || this.inFlight > 0) return;
    try {
      unlinkSync(this.journal);
    } catch {
      // none was written
    }
    this.journaled.clear();
  }

  private compact(): void {
    if (this.journal === null) return;
    try {
      writeFileSync(this.journal, '', { mode: 0o600 });
      this.journaled.clear();
    } catch {
      // it stays long
    }
  }
}

let installed: OutputTemps | null = null;

/**
 * The temps of this process, as writeOutputsAtomically names them. The agent installs one with a
 * journal when it starts; any other process (a test, a tool) gets one without.
 */
export function outputTemps(): OutputTemps {
  installed ??= new OutputTemps(processOwner() ?? { pid: process.pid, start: UNKNOWN_START }, null);
  return installed;
}

/** Makes `temps` this process's, with its journal (the temp's owner is the process, so is its record). */
export function installOutputTemps(temps: OutputTemps): void {
  installed = temps;
}

export interface Sweep {
  /** Temp files removed. */
  readonly removed: readonly string[];
  /** Journals of dead agents read (and removed). */
  readonly journals: number;
  /** Folders that could not be read, and why. */
  readonly unreadable: readonly string[];
}

/**
 * What dead agents left: for every journal at `base` whose owner no longer runs, removes that owner's
 * temps from each folder it names, then the journal. A live owner's journal and temps, and every
 * other file, are left alone: a temp is removed only when its name says the dead owner wrote it.
 */
export async function sweepDeadOwners(base: string): Promise<Sweep> {
  const removed: string[] = [];
  const unreadable: string[] = [];
  let journals = 0;
  const prefix = `${basename(base)}-`;
  const names = await readdir(dirname(base)).catch(() => [] as string[]);
  for (const name of names) {
    const owner = name.startsWith(prefix) ? journalOwnerOf(name.slice(prefix.length)) : null;
    if (owner === null || isAlive(owner)) continue;
    const journal = join(dirname(base), name);
    for (const folder of await foldersIn(journal)) await removeTemps(folder, owner, removed, unreadable);
    await unlink(journal).catch(() => undefined);
    journals += 1;
  }
  return { removed, journals, unreadable };
}

async function foldersIn(journal: string): Promise<Set<string>> {
  const folders = new Set<string>();
  const text = await readFile(journal, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    try {
      const folder: unknown = JSON.parse(line);
      if (typeof folder === 'string' && folder.startsWith('/')) folders.add(folder);
    } catch {
      // a line cut short by the kill, or an empty one
    }
  }
  return folders;
}

async function removeTemps(folder: string, owner: TempOwner, removed: string[], unreadable: string[]): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') unreadable.push(`${folder}: ${code ?? String(err)}`);
    return;
  }
  for (const entry of entries) {
    const named = tempOwnerOf(entry);
    if (named === null || named.pid !== owner.pid || named.start !== owner.start) continue;
    const path = join(folder, entry);
    try {
      await unlink(path);
      removed.push(path);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}

function journalOwnerOf(suffix: string): TempOwner | null {
  const match = /^(\d+)-(\d+)$/.exec(suffix);
  return match ? { pid: Number(match[1]), start: match[2] as string } : null;
}

/** undefined: no /proc to read; null: no such process. */
function readStat(pid: number): { start: string; zombie: boolean } | null | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' && procMounted() ? null : undefined;
  }
  // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start === undefined ? undefined : { start, zombie: fields[0] === 'Z' || fields[0] === 'X' };
}

function procMounted(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

/** Whether a process with this pid exists (one of another user's counts too). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `name`, cut (at a character) to MAX_NAME_BYTES_IN_TEMP bytes of UTF-8. */
function shortened(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES_IN_TEMP) return name;
  let cut = '';
  for (const char of name) {
    if (Buffer.byteLength(cut + char) > MAX_NAME_BYTES_IN_TEMP) break;
    cut += char;
  }
  return cut;
}
