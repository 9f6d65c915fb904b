// statfs f_type values of file systems that cannot hold the agent's socket, or that another machine
// shares (an agent there would see our socket as stale and remove it). The C shim has the same table.
export const NETWORK_FS_TYPES: ReadonlyMap<number, string> = new Map([
  [0x6969, 'nfs'],
  [0x517b, 'smb'],
  [0xff534d42, 'cifs'],
  [0xfe534d42, 'smb2'],
  [0x5346414f, 'afs'],
  [0x6b414653, 'kafs'],
  [0x73757245, 'coda'],
  [0x01021997, '9p'],
  [0x65735546, 'fuse'],
  [0x00c36400, 'ceph'],
  [0x786f4256, 'vboxsf'],
  [0x0bd00bd0, 'lustre'],
]);

export function isNetworkFsType(type: number): boolean {
  return NETWORK_FS_TYPES.has(type >>> 0);
}
