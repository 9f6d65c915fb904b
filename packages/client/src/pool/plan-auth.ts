import { readFile } from 'node:fs/promises';
import { utils, type AnyAuthMethod, type ParsedKey } from 'ssh2';
import type { ResolvedSshConfig } from './resolved-ssh-config';
import { ChosenAgentKeys, listAgentKeys } from './agent-keys';
import { opensshPublicBlob } from './openssh-public-blob';

// ssh's order: keys in the agent first (all of them, or with IdentitiesOnly only those matching an
// IdentityFile), then the IdentityFile keys the agent does not already hold. `ssh -G` lists ssh's
// default keys (~/.ssh/id_rsa, id_ecdsa, id_ed25519 …) as IdentityFile when the config names none, so
// "then the default keys" falls out of the same list. The agent never prompts, so an encrypted key file
// is usable only through the agent.

export interface AuthPlan {
  /** For ssh2's authHandler, in the order to try. */
  readonly methods: AnyAuthMethod[];
  /** What is offered, for an auth failure's message: `ssh-agent (2 keys)`, key file paths. */
  readonly offered: string[];
  /** Keys skipped and why, for the user (`sshcc ping`, the agent log). */
  readonly notes: string[];
}

/** The agent socket IdentityAgent / $SSH_AUTH_SOCK points at; undefined for none. */
export function agentSocketPath(identityAgent: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (identityAgent === undefined || identityAgent === 'SSH_AUTH_SOCK') return env.SSH_AUTH_SOCK || undefined;
  if (identityAgent === 'none') return undefined;
  const variable = /^\$([A-Za-z_]\w*)$/.exec(identityAgent);
  if (variable) return env[variable[1]!] || undefined;
  return identityAgent;
}

interface KeyFile {
  readonly path: string;
  /** Usable for signing; undefined when encrypted or unreadable. */
  readonly privateKey: ParsedKey | undefined;
  /** The public blob, from the key itself or its `.pub`, to match agent keys. */
  readonly publicBlob: Buffer | undefined;
  readonly problem: string | undefined;
}

async function readOptional(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch {
    return undefined;
  }
}

function firstKey(parsed: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  return Array.isArray(parsed) ? (parsed[0] ?? new Error('no key in file')) : parsed;
}

async function readKeyFile(file: string): Promise<KeyFile | undefined> {
  const data = await readOptional(file);
  if (data === undefined) return undefined; // ssh's default list names keys most users do not have
  const parsed = firstKey(utils.parseKey(data));
  // As ssh does: the `.pub` beside it, else the clear public part of an OpenSSH-format key file.
  const pubData = await readOptional(`${file}.pub`);
  const pub = pubData === undefined ? undefined : firstKey(utils.parseKey(pubData));
  const fromPub = pub === undefined || pub instanceof Error ? opensshPublicBlob(data.toString('latin1')) : pub.getPublicSSH();
  if (!(parsed instanceof Error)) {
    return { path: file, privateKey: parsed, publicBlob: parsed.getPublicSSH(), problem: undefined };
  }
  const problem = /encrypted|passphrase/i.test(parsed.message)
    ? 'it is encrypted and sshcc cannot ask for its passphrase; add it to ssh-agent'
    : parsed.message;
  return { path: file, privateKey: undefined, publicBlob: fromPub, problem };
}

export async function planAuth(config: ResolvedSshConfig, env: NodeJS.ProcessEnv): Promise<AuthPlan> {
  const notes: string[] = [];
  const files = (await Promise.all(config.identityFiles.map(readKeyFile))).filter((file): file is KeyFile => file !== undefined);
  const fileBlobs = files.map((file) => file.publicBlob).filter((blob): blob is Buffer => blob !== undefined);

  let agentKeys: ParsedKey[] = [];
  const socket = agentSocketPath(config.identityAgent, env);
  if (socket !== undefined) {
    try {
      agentKeys = await listAgentKeys(socket);
    } catch (error) {
      notes.push(`ssh-agent at ${socket} did not answer: ${(error as Error).message}`);
    }
    if (config.identitiesOnly) agentKeys = agentKeys.filter((key) => fileBlobs.some((blob) => blob.equals(key.getPublicSSH())));
  }
  const inAgent = (blob: Buffer | undefined): boolean => blob !== undefined && agentKeys.some((key) => key.getPublicSSH().equals(blob));

  const methods: AnyAuthMethod[] = [];
  const offered: string[] = [];
  if (socket !== undefined && agentKeys.length > 0) {
    methods.push({ type: 'agent', username: config.user, agent: new ChosenAgentKeys(socket, agentKeys) });
    offered.push(`ssh-agent (${agentKeys.length} ${agentKeys.length === 1 ? 'key' : 'keys'})`);
  }
  for (const file of files) {
    if (inAgent(file.publicBlob)) continue;
    if (file.privateKey === undefined) {
      notes.push(`skipping key ${file.path}: ${file.problem}`);
      continue;
    }
    methods.push({ type: 'publickey', username: config.user, key: file.privateKey });
    offered.push(file.path);
  }
  return { methods, offered, notes };
}
