export * from './errors';
export * from './argv';
export * from './hosts';
export * from './schedule';
export * from './policy';
export * from './shell';
export * from './doctor';
