// Jest's per-file progress and failure output, without its summary (jest-summary-reporter prints that last).
'use strict';
module.exports = require('@jest/reporters').DefaultReporter;
