export { CompileService, type CompileServiceOptions } from './compile-service';
export { JobStats, type JobTotals } from './job-stats';
