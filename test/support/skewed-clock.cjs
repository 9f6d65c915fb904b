// Loaded with `node --require` (NODE_OPTIONS) into a volunteer's sshcc-server by test/doctor.test.ts: its
// clock reads SSHCC_TEST_CLOCK_SKEW_MS ahead of the machine's, as a volunteer whose clock is off would.
'use strict';
const skew = Number(process.env.SSHCC_TEST_CLOCK_SKEW_MS ?? 0);
const now = Date.now;
Date.now = () => now() + skew;
