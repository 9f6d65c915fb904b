export * from './departures';
export * from './markdown-tables';
