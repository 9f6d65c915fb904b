export * from './scheduler';
export * from './scheduler-events';
