export { CompileService, type CompileServiceOptions } from './compile-service';
export { JobStats, type JobTotals } from './job-stats';
export { CompileRouter } from './compile-router';
