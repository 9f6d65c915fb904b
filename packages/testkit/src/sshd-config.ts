// sshd_config for one loopback volunteer. Every path is absolute and inside the volunteer's private dir, so
// nothing of the real /etc/ssh is read and the same text works for root and for an ordinary user.

export interface SshdConfigInput {
  /** 127.0.0.1, or the volunteer's address inside its network namespace. */
  listenAddress: string;
  port: number;
  hostKeyFile: string;
  authorizedKeysFile: string;
  pidFile: string;
  asRoot: boolean;
  maxSessions: number;
  /** Shell command line for `Subsystem sshcc`; undefined leaves the subsystem out (per-user exec mode). */
  subsystemCommand: string | undefined;
  /** Variables every session gets (sshd's SetEnv). */
  env: Readonly<Record<string, string>>;
  logLevel: string;
  /** OpenSSH >= 9.8 penalises sources that connect without authenticating; every test client is 127.0.0.1. */
  disablePenalties: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkLine(what: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`testkit: ${what} must not contain a newline: ${JSON.stringify(value)}`);
  return value;
}

/** sshd splits its arguments on whitespace; a path holding any would silently become two arguments. */
function checkPath(what: string, value: string): string {
  if (/\s/.test(value)) throw new Error(`testkit: ${what} must not contain whitespace: ${JSON.stringify(value)}`);
  return value;
}

function setEnvLine(env: Readonly<Record<string, string>>): string | undefined {
  const pairs = Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new Error(`testkit: bad environment variable name ${JSON.stringify(name)}`);
    if (/["\\\r\n]/.test(value)) throw new Error(`testkit: ${name}'s value cannot be written to sshd_config: ${JSON.stringify(value)}`);
    return `"${name}=${value}"`;
  });
  // sshd honours only the first SetEnv line, so all variables go on one.
  return pairs.length > 0 ? `SetEnv ${pairs.join(' ')}` : undefined;
}

export function renderSshdConfig(input: SshdConfigInput): string {
  const lines = [
    '# Written by @sshcc/testkit for one test volunteer.',
    `ListenAddress ${checkPath('listen address', input.listenAddress)}`,
    `Port ${input.port}`,
    `HostKey ${checkPath('host key path', input.hostKeyFile)}`,
    `PidFile ${checkPath('pid file path', input.pidFile)}`,
    `AuthorizedKeysFile ${checkPath('authorized_keys path', input.authorizedKeysFile)}`,
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    input.asRoot ? 'PermitRootLogin prohibit-password' : undefined,
    `MaxSessions ${input.maxSessions}`,
    // A pool opens many connections at once; the default 10:30:100 would drop some before they authenticate.
    'MaxStartups 200',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'AcceptEnv LANG LC_*',
    setEnvLine(input.env),
    input.subsystemCommand === undefined ? undefined : `Subsystem sshcc ${checkLine('serverCommand', input.subsystemCommand)}`,
    input.disablePenalties ? 'PerSourcePenalties no' : undefined,
    `LogLevel ${checkLine('logLevel', input.logLevel)}`,
  ];
  return `${lines.filter((line) => line !== undefined).join('\n')}\n`;
}
