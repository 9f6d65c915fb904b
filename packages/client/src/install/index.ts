// `sshcc install-server`: the per-user sshcc-server install on a volunteer (or this machine), no root.
export { installServer, formatBytes, type InstallReport, type InstallOptions } from './install-server';
export { localNodeRuntime, type NodeRuntime } from './local-node-runtime';
export { installPaths, INSTALL_DIR_IN_HOME, type InstallPaths } from './install-paths';
export { loadServerBundle, type ServerBundle } from './server-bundle';
export { localInstallTarget } from './local-install-target';
export { sshInstallTarget } from './ssh-install-target';
export { launcherScript } from './launcher-script';
export { checkNodeVersion, MIN_NODE_MAJOR } from './node-version';
export type { InstallTarget, RunResult, UploadMethod } from './install-target';
