export * from './exit-codes';
export * from './sshcc-error';
