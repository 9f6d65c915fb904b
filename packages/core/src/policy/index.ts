export * from './departures';
export * from './markdown-tables';
export * from './verify-rate';
export * from './release-trust';
export * from './remote-diagnostics';
export * from './link-compression';
