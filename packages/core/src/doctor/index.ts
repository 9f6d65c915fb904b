export { CLOCK_SKEW_LIMIT_MS, estimateClockSkew, isSkewTooLarge, type ClockSample, type ClockSkew } from './clock-skew';
export { diagnose, type DoctorProblem, type DoctorProblemCode } from './diagnose';
export type * from './doctor-findings';
