import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';

/**
 * An ssh2 connection that is ready, with Nagle off (DESIGN: a channel open costs ~45 ms without it).
 * Failures before 'ready' reject; after it, a dropped or reset connection shows as 'close' (tests inject
 * exactly those faults), so a late 'error' is not left to crash the test run as an unhandled event.
 */
export function connectClient(config: ConnectConfig): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const onError = (err: Error): void => {
      client.end();
      reject(err);
    };
    client.once('error', onError);
    client.once('ready', () => {
      client.off('error', onError);
      client.on('error', () => undefined);
      client.setNoDelay(true);
      resolve(client);
    });
    client.connect(config);
  });
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * Exit statuses caught from the moment a channel opens. ssh2 emits 'exit' as it parses, so when the open
 * confirmation, the output and the exit-status share one read (a relay releasing held bytes, a loaded
 * machine), 'exit' comes before code awaiting the open can listen. Output waits in the stream; 'exit' does not.
 */
const exitStatuses = new WeakMap<ClientChannel, number | null>();

function watchExit(channel: ClientChannel): ClientChannel {
  channel.once('exit', (status: number | null) => exitStatuses.set(channel, status));
  return channel;
}

/** The exit status of a channel opened by openExec/openSubsystem (null: none came), once it has closed. */
export function channelExit(channel: ClientChannel): Promise<number | null> {
  return new Promise((resolve) => {
    let code: number | null = null;
    channel.on('exit', (status: number | null) => (code = status));
    channel.on('close', () => resolve(code ?? exitStatuses.get(channel) ?? null));
  });
}

/** Reads a channel to its end; `stdin` (if given) is written and the channel's input closed. */
export async function collectChannel(channel: ClientChannel, stdin?: string | Buffer): Promise<ExecResult> {
  let stdout = '';
  let stderr = '';
  channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = channelExit(channel);
  if (stdin !== undefined) channel.end(stdin);
  const code = await exited;
  return { stdout, stderr, code };
}

/** Opens an exec channel (the command runs through the user's login shell on the volunteer). */
export function openExec(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => client.exec(command, (err, channel) => (err ? reject(err) : resolve(watchExit(channel)))));
}

export function openSubsystem(client: Client, name: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => client.subsys(name, (err, channel) => (err ? reject(err) : resolve(watchExit(channel)))));
}

/** Runs `command` on an open connection and collects its output and exit status. */
export async function execText(client: Client, command: string, stdin?: string | Buffer): Promise<ExecResult> {
  return collectChannel(await openExec(client, command), stdin ?? '');
}
