export * from './types';
export * from './host-limits';
export { hostSourceLabel } from './host-source-label';
export { sshDestination } from './ssh-destination';
export { mappedCompiler } from './compiler-map';
export { parseHosts, type ParseHostsOptions } from './parse-hosts';
export { hostListFiles, resolveHostSources, SYSTEM_HOSTS_FILE, type ResolveHostSourcesOptions, type ResolvedHosts } from './resolve-host-sources';
