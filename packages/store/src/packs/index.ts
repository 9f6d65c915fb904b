export { buildPack, describePack, type BuiltPack, type DescribedPack } from './build-pack';
export { PackStore, type OpenPack, type PackStoreOptions } from './pack-store';
export { packCommand } from './pack-command';
export { packArchive, selectFromArchive, type ArchiveContents } from './pack-archive';
export { agentPacksDir, readCachedManifest } from './cached-manifest';
