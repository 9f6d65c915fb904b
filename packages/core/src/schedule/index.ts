export * from './host-load';
export * from './speed';
export * from './pick-host';
export * from './machine-load';
export * from './place-compile';
export * from './fair-queue';
export * from './slot-decision';
