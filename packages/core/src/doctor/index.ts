export { CLOCK_SKEW_LIMIT_MS, estimateClockSkew, isSkewTooLarge, type ClockSample, type ClockSkew } from './clock-skew';
export { diagnose, DOCTOR_PROBLEM_CODES, type DoctorProblem, type DoctorProblemCode } from './diagnose';
export type * from './doctor-findings';
