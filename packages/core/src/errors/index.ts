export * from './exit-codes';
export * from './sshcc-error';
export * from './exit-code-table';
