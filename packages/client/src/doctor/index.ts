// `sshcc doctor`: why compiles do not go remote, each problem with the command that fixes it.
export { runDoctor, type DoctorOptions } from './run-doctor';
export { DoctorReportSchema, type DoctorReport } from './doctor-report';
