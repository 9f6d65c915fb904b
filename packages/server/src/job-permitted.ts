import type { JobRequest } from '@sshcc/protocol';
import type { CompilerAllowlist } from './allowlist';
import { checkCc1Option, checkValue, ruleFor } from './compile-option-rules';
import { isPlainName } from './plain-name';

export type Permission = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: Permission = { ok: true };
const refuse = (reason: string): Permission => ({ ok: false, reason });

/**
 * The one gate every job passes before anything runs (compare sftp-server's request_permitted):
 * an allowed compiler given as a bare name, plain file names that stay inside the job dir, and
 * compile arguments that neither touch files outside it nor add inputs. A refusal is a result
 * (kind 'refused'), so the agent compiles that command elsewhere.
 */
export function jobPermitted(request: JobRequest, allowlist: CompilerAllowlist): Permission {
  if (!allowlist.allows(request.compiler)) return refuse(`compiler "${request.compiler}" is not allowed on this server`);
  const names = [request.input, request.output, ...request.extraOutputs];
  const bad = names.find((name) => !isPlainName(name));
  if (bad !== undefined) return refuse(`file name "${bad}" is not a plain name inside the job dir`);
  if (new Set(names).size !== names.length) return refuse('input and output names must all differ');
  if (request.cwd.includes('\0') || !request.cwd.startsWith('/')) return refuse('cwd must be an absolute path');
  return argsPermitted(request.args);
}

/** The options that stop the driver before it links; a job must have one (core's compileArgv starts with it). */
const STOP_BEFORE_LINK = new Set(['-c', '-S']);

function argsPermitted(args: readonly string[]): Permission {
  // Without -c or -S the driver links: it runs the linker (clang's -fuse-ld=PATH runs any program), and
  // what links is no compile of the client's.
  let stops = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.includes('\0')) return refuse(`argument ${i + 1} contains a NUL byte`);
    if (STOP_BEFORE_LINK.has(arg)) stops = true;
    if (!arg.startsWith('-') && !arg.startsWith('@')) {
      return refuse(`argument "${arg}" is not an option (an extra input file?)`);
    }
    const rule = ruleFor(arg);
    if (!rule) {
      // gcc expands abbreviations of its long options (--outp means --output), so only listed ones pass.
      if (arg.startsWith('--')) return refuse(`option ${arg} is not on the server's list of long options`);
      continue;
    }
    if (rule.refused) return refuse(`option ${arg} is not allowed: it ${rule.refused}`);
    if (rule.check === 'cc1-option') {
      const cc1 = checkCc1Option(args, i);
      if (cc1.refused) return refuse(cc1.refused);
      i += cc1.taken - 1;
      continue;
    }
    let why = checkValue(rule, arg);
    if (rule.separateValue && arg === rule.flag) {
      const value = args[i + 1];
      if (value === undefined) return refuse(`option ${arg} needs a value`);
      if (value.includes('\0')) return refuse(`argument ${i + 2} contains a NUL byte`);
      why ??= checkValue(rule, value);
      i++;
    }
    if (why) return refuse(`option ${arg} is not allowed: it ${why}`);
  }
  return stops ? OK : refuse('the arguments hold neither -c nor -S: the compiler would link');
}
