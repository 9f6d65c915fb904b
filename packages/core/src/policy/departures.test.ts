import { ATTEMPT_DEPARTURES, DEPARTURES, DEPARTURE_NAMES, departureText, EXIT_CODES, isAttemptDeparture, isDeparture, LOCAL_REASON_TEXT, type Departure } from '@sshcc/core';

describe('DEPARTURES', () => {
  it('has a row for every reason the analysis keeps a command local, with its sentence', () => {
    for (const [reason, text] of Object.entries(LOCAL_REASON_TEXT)) {
      expect(DEPARTURES[reason as Departure]).toEqual({ job: 'exec-in-client', host: 'none', hostFailure: false, text });
    }
  });

  it('has a row for every attempt departure, and each one that is an sshcc error keeps its error code name', () => {
    for (const name of ATTEMPT_DEPARTURES) expect(isDeparture(name)).toBe(true);
    const errorNamed = ATTEMPT_DEPARTURES.filter((name) => name in EXIT_CODES);
    expect(errorNamed).toEqual(expect.arrayContaining(['connect', 'timeout', 'job-refused', 'limit-exceeded', 'compiler-mismatch']));
  });

  it.each<[Departure, string, string, boolean]>([
    ['connect', 'next-host', 'back-off', true],
    ['protocol', 'next-host', 'skip-for-job', true],
    ['remote-failed', 'next-host', 'back-off', true],
    ['compiler-missing', 'next-host', 'unfit-for-compiler', true],
    ['compiler-mismatch', 'next-host', 'unfit-for-compiler', true],
    ['job-refused', 'exec-in-client', 'skip-for-job', true],
    ['compile-error', 'exec-in-client', 'none', false],
    ['diagnostics', 'exec-in-client', 'none', false],
    ['cancelled', 'next-host', 'skip-for-job', false],
    ['volunteer-busy', 'next-host', 'skip-for-job', false],
    ['verify-mismatch', 'compile-in-agent', 'unfit-for-compiler', true],
    ['agent-cache', 'answer-cached', 'none', false],
    ['fallback', 'compile-in-agent', 'none', false],
    ['native-arch', 'exec-in-client', 'none', false],
  ])('%s: the job %s, the host %s, a host failure: %s', (name, job, host, hostFailure) => {
    expect(DEPARTURES[name]).toMatchObject({ job, host, hostFailure });
  });

  it('never moves on to another host without keeping the job off the one that failed', () => {
    // A next-host row with host 'none' would grant the same host again, and again.
    const loops = DEPARTURE_NAMES.filter((name) => DEPARTURES[name].job === 'next-host' && DEPARTURES[name].host === 'none');
    expect(loops).toEqual([]);
  });

  it('keeps job-level departures off hosts: only attempt departures touch a host', () => {
    const touching = DEPARTURE_NAMES.filter((name) => DEPARTURES[name].host !== 'none');
    expect(touching.filter((name) => !isAttemptDeparture(name))).toEqual([]);
  });

  it('names the volunteer in a row\'s text where it has one', () => {
    expect(departureText('compile-error', 'fast')).toBe("it failed on fast, whose errors may not read as this machine's gcc prints them; rerun here");
    expect(departureText('job-refused')).toBe('a volunteer refused it');
    expect(departureText('no-hosts', 'fast')).toBe('no remote hosts are configured');
  });

  it('answers isDeparture for its members only', () => {
    expect(isDeparture('link')).toBe(true);
    expect(isDeparture('toString')).toBe(false);
    expect(isAttemptDeparture('link')).toBe(false);
    expect(isAttemptDeparture('timeout')).toBe(true);
  });
});
