export * from './departures';
export * from './markdown-tables';
export * from './verify-rate';
