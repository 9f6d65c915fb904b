export * from './departures';
export * from './markdown-tables';
export * from './verify-rate';
export * from './release-trust';
export * from './link-compression';
