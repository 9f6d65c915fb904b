import { compilerAllowlist } from './allowlist';
import { loadServerConfig } from './config';
import { listCompilers } from './list-compilers';
import { fingerprintCompiler, resolveCompiler } from '@sshcc/store';
import { SERVER_VERSION } from './version';
import { PROTOCOL_VERSIONS } from '@sshcc/protocol';
import { loadSystemSlots } from './slots/system-slots-config';

/**
 * `sshcc-server --check`: the config in force and every allowed compiler with its fingerprint. `ok` is
 * false when a setting was not used as written (a bad `slots`, the admin's file), which serving survives.
 */
export async function checkReport(env: NodeJS.ProcessEnv = process.env): Promise<{ readonly text: string; readonly ok: boolean }> {
  const config = loadServerConfig(env);
  const system = loadSystemSlots(env);
  const allowlist = compilerAllowlist(config.compilers);
  const lines = [
    `sshcc-server ${SERVER_VERSION}, protocol ${PROTOCOL_VERSIONS.join(', ')}`,
    `config: ${config.file}${config.found ? '' : ' (absent: defaults)'}`,
    `compilers allowed: ${allowlist.description}`,
    `longest compile: ${config.maxJobSeconds} s`,
    `slots: ${config.slots}${config.slots === 0 ? ' (draining: no new jobs)' : ''}, shared by every session of this account`,
    ...(system.shared === null ? [] : [`slots across accounts: ${system.shared.cap}, in ${system.shared.dir} (${system.file})`]),
    ...(config.slotsError === null ? [] : [`error: ${config.slotsError}`]),
    ...(system.error === null ? [] : [`error: ${system.error}; no cap across accounts`]),
  ];
  const names = listCompilers(allowlist, env.PATH);
  if (names.length === 0) lines.push('no allowed compiler found on PATH');
  for (const name of names) {
    const path = resolveCompiler(name, env.PATH) as string;
    try {
      const f = await fingerprintCompiler(path, { env });
      const hashes = [`driver ${f.driver.slice(0, 12)}`];
      if (f.cc1) hashes.push(`cc1 ${f.cc1.slice(0, 12)}`);
      if (f.cc1plus) hashes.push(`cc1plus ${f.cc1plus.slice(0, 12)}`);
      lines.push(`${name}: ${path}: ${f.version}; ${f.target}; ${hashes.join(', ')}`);
    } catch (err) {
      lines.push(`${name}: ${path}: cannot fingerprint: ${(err as Error).message}`);
    }
  }
  return { text: `${lines.join('\n')}\n`, ok: config.slotsError === null && system.error === null };
}
