import { compilerAllowlist } from './allowlist';
import { loadServerConfig } from './config';
import { listCompilers } from './list-compilers';
import { fingerprintCompiler, resolveCompiler } from '@sshcc/store';
import { SERVER_VERSION } from './version';
import { PROTOCOL_VERSIONS } from '@sshcc/protocol';

/** `sshcc-server --check`: the config in force and every allowed compiler with its fingerprint. */
export async function checkReport(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const config = loadServerConfig(env);
  const allowlist = compilerAllowlist(config.compilers);
  const lines = [
    `sshcc-server ${SERVER_VERSION}, protocol ${PROTOCOL_VERSIONS.join(', ')}`,
    `config: ${config.file}${config.found ? '' : ' (absent: defaults)'}`,
    `compilers allowed: ${allowlist.description}`,
    `longest compile: ${config.maxJobSeconds} s`,
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
  return `${lines.join('\n')}\n`;
}
