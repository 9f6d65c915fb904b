'use strict';
// The compiler commands a real build runs, recorded by a wrapper in CC/CXX: each record is the cwd and
// argv, NUL-separated, ending with "\0\n" (a NUL can't occur inside an argument).
const fs = require('node:fs');
const path = require('node:path');

function writeRecorder(dir) {
  const file = path.join(dir, 'record-cc');
  fs.writeFileSync(file, `#!/bin/sh\n{ printf '%s\\0' "$PWD" "$@"; printf '\\n'; } >> "$SSHCC_BENCH_RECORD"\nexec "$@"\n`, { mode: 0o755 });
  return file;
}

/** [{ cwd, argv }] from a record file. */
function readRecords(file) {
  return fs
    .readFileSync(file, 'utf8')
    .split('\0\n')
    .filter(Boolean)
    .map((record) => {
      const [cwd, ...argv] = record.split('\0');
      return { cwd, argv };
    });
}

module.exports = { writeRecorder, readRecords };
