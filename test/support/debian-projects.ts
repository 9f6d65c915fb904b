// The real projects test/debian-projects-e2e.test.ts builds from Debian's source packages, each with its
// own build system and its own test suite, and each putting sshcc in the compiler's place the way its
// users would: a masquerade directory for autotools + libtool, CMake's compiler launcher, Meson's CC.
// Every build happens in <tree>/build, so a local reference build moved aside to <tree>/ref records
// the same paths (DW_AT_comp_dir, .d targets) as the build through sshcc.

/** How sshcc takes the compiler's place in a build. */
export type Route = 'masquerade' | 'launcher' | 'cc';

export interface Step {
  readonly argv: readonly string[];
  /** Relative to the tree. */
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface DebianProject {
  readonly package: string;
  readonly buildSystem: string;
  readonly route: Route;
  /** Configures <tree>/build; `sshcc` is the command to put in the compiler's place, null for the reference build. */
  configure(sshcc: string | null): Step[];
  readonly build: Step;
  /** The project's own test suite, run on the build through sshcc. */
  readonly check: Step;
  /** What the check printed, summed up for the report (e.g. `32 of 32 tests passed`). */
  checkSummary(stdout: string): string;
  /** Files under <tree>/build held byte for byte against the reference: the libraries, where no object has -g. */
  readonly libraries: readonly string[];
}

/** make/ninja parallelism: a few jobs beyond the 2 cores CI has, for the volunteer's slots. */
const JOBS = '-j4';

export const DEBIAN_PROJECTS: readonly DebianProject[] = [
  {
    // The upstream tarball ships configure and ltmain.sh: no autoreconf. libtool compiles each library
    // source twice (-fPIC -DPIC into .libs/, and plain), and autoconf's default CFLAGS are -g -O2.
    package: 'libpng1.6',
    buildSystem: 'autotools + libtool',
    route: 'masquerade',
    configure: () => [
      { argv: ['mkdir', '-p', 'build'], cwd: '.' },
      { argv: ['../configure', '--quiet'], cwd: 'build' },
    ],
    build: { argv: ['make', JOBS], cwd: 'build' },
    check: { argv: ['make', JOBS, 'check'], cwd: 'build' },
    checkSummary: (stdout) => automakeSummary(stdout),
    libraries: [],
  },
  {
    // A Release build (-O3 -DNDEBUG, no -g) of the shared library and its programs: objects and library
    // must match the local build byte for byte. (cJSON, tried first, keeps every compile here: its flags
    // carry -Wunused-macros, see the unused-macros departure.)
    package: 'libyaml',
    buildSystem: 'CMake + Ninja',
    route: 'launcher',
    configure: (sshcc) => [
      {
        argv: ['cmake', '-G', 'Ninja', '-S', '.', '-B', 'build', '-DCMAKE_BUILD_TYPE=Release', '-DBUILD_SHARED_LIBS=ON', '-Wno-dev', ...(sshcc === null ? [] : [`-DCMAKE_C_COMPILER_LAUNCHER=${sshcc}`])],
        cwd: '.',
      },
    ],
    build: { argv: ['ninja', '-C', 'build', JOBS], cwd: '.' },
    check: { argv: ['ctest', '--test-dir', 'build', '--output-on-failure'], cwd: '.' },
    checkSummary: (stdout) => `ctest: ${/^\d+% tests passed.*$/m.exec(stdout)?.[0] ?? 'no summary'}`,
    libraries: ['libyaml.so'],
  },
  {
    // Meson's default buildtype (debug: -O0 -g). The build compiles and runs its own table generators.
    package: 'fribidi',
    buildSystem: 'Meson + Ninja',
    route: 'cc',
    configure: (sshcc) => [{ argv: ['meson', 'setup', 'build', '-Ddocs=false'], cwd: '.', env: { CC: sshcc === null ? 'gcc' : `${sshcc} gcc` } }],
    build: { argv: ['ninja', '-C', 'build', JOBS], cwd: '.' },
    check: { argv: ['meson', 'test', '-C', 'build'], cwd: '.' },
    checkSummary: (stdout) => {
      const count = (label: string) => new RegExp(`^${label}:\\s+(\\d+)`, 'm').exec(stdout)?.[1] ?? '?';
      return `meson test: ${count('Ok')} ok, ${count('Fail')} failed`;
    },
    libraries: [],
  },
];

/** automake's test-suite summary (`# TOTAL: 32` … `# PASS: 32`) in one line. */
function automakeSummary(stdout: string): string {
  const count = (label: string) => new RegExp(`^# ${label}:\\s+(\\d+)`, 'm').exec(stdout)?.[1] ?? '?';
  return `make check: ${count('PASS')} of ${count('TOTAL')} tests passed`;
}
