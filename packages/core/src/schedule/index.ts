export * from './host-load';
export * from './speed';
export * from './pick-host';
export * from './machine-load';
export * from './place-compile';
export * from './volunteer-capacity';
export * from './finish-estimate';
export * from './pick-duplicate';
