/*
 * The testkit's stand-in compiler: gcc's argv and output contract, none of its work. It answers the
 * queries sshcc fingerprints a compiler with, copies a source through for -E, and for a compile reads
 * its input (a file, or - for stdin as sshcc-server feeds it), sleeps, and writes an object that is a
 * fixed function of the input bytes, so the same job gives the same object on every machine.
 *
 * The time a compile takes, first found wins:
 *   - a line of the input containing `sshcc-standin-ms=N`;
 *   - the file `standin-ms` beside this program (resolved through /proc/self/exe), so one copy per
 *     volunteer can be slow and another fast while the binaries, and so their fingerprints, are equal;
 *   - SSHCC_STANDIN_MS in the environment (sshcc-server passes its compilers only PATH and a few more);
 *   - 0.
 * Sleeping is nanosleep: 256 of these waiting cost no CPU. Its failures are also appended to
 * `standin-errors.log` beside it: a volunteer's stderr goes back to an agent that may not keep it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define VERSION_LINE "(sshcc stand-in) 12.2.0"
#define MAGIC "sshcc-standin-ms="

/* This program's folder (through /proc/self/exe) joined with `file`, in `out`; 0 when it cannot be had. */
static int beside_me(char *out, size_t size, const char *file) {
    ssize_t n = readlink("/proc/self/exe", out, size - strlen(file) - 1);
    if (n <= 0) return 0;
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (slash == NULL) return 0;
    strcpy(slash + 1, file);
    return 1;
}

static int fail(const char *what, const char *name) {
    char line[PATH_MAX + 256], log[PATH_MAX];
    int n = snprintf(line, sizeof line, "standin: %s %s: %s\n", what, name, strerror(errno));
    fputs(line, stderr);
    if (beside_me(log, sizeof log, "standin-errors.log")) {
        /* The log also says where it ran: a folder removed under a running compile shows as its own error. */
        char cwd[PATH_MAX];
        const char *where = getcwd(cwd, sizeof cwd) != NULL ? cwd : strerror(errno);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (fd >= 0) {
            dprintf(fd, "%.*s (in %s)\n", n - 1, line, where);
            close(fd);
        }
    }
    return 1;
}

/* The whole of fd into a malloc'd buffer; NULL on a read error. */
static char *read_all(int fd, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (buf == NULL) return NULL;
        if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
        if (buf == NULL) return NULL;
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) { free(buf); return NULL; }
        if (got == 0) break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static long magic_ms(const char *buf) {
    const char *at = strstr(buf, MAGIC);
    return at == NULL ? -1 : strtol(at + strlen(MAGIC), NULL, 10);
}

static long file_ms(void) {
    char exe[PATH_MAX];
    if (!beside_me(exe, sizeof exe, "standin-ms")) return -1;
    FILE *f = fopen(exe, "r");
    if (f == NULL) return -1;
    long ms = -1;
    if (fscanf(f, "%ld", &ms) != 1) ms = -1;
    fclose(f);
    return ms;
}

static long delay_ms(const char *buf) {
    long ms = magic_ms(buf);
    if (ms < 0) ms = file_ms();
    if (ms < 0 && getenv("SSHCC_STANDIN_MS") != NULL) ms = strtol(getenv("SSHCC_STANDIN_MS"), NULL, 10);
    return ms < 0 ? 0 : ms;
}

static void sleep_ms(long ms) {
    struct timespec left = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {}
}

/* FNV-1a, 64 bits: the object's content depends on every input byte. */
static uint64_t fnv1a(const char *buf, size_t len) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
    return h;
}

static int write_file(const char *name, const char *text, size_t len) {
    if (strcmp(name, "-") == 0) return fwrite(text, 1, len, stdout) == len ? 0 : fail("cannot write", "stdout");
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return fail("cannot create", name);
    ssize_t put = write(fd, text, len);
    if (close(fd) != 0 || put != (ssize_t)len) return fail("cannot write", name);
    return 0;
}

int main(int argc, char **argv) {
    const char *output = NULL, *input = NULL;
    int preprocess = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--version") == 0) {
            const char *base = strrchr(argv[0], '/');
            printf("%s %s\nThis is not a compiler: sshcc's testkit stand-in.\n", base ? base + 1 : argv[0], VERSION_LINE);
            return 0;
        }
        if (strcmp(a, "-dumpmachine") == 0) { puts("x86_64-linux-gnu"); return 0; }
        /* A bare name back, as clang answers: there is no cc1 to fingerprint. */
        if (strncmp(a, "-print-prog-name=", 17) == 0) { puts(a + 17); return 0; }
        if (strcmp(a, "-E") == 0) preprocess = 1;
        else if (strcmp(a, "-o") == 0 && i + 1 < argc) output = argv[++i];
        else if ((strcmp(a, "-x") == 0 || strcmp(a, "-MF") == 0 || strcmp(a, "-MT") == 0 || strcmp(a, "-MQ") == 0) && i + 1 < argc) i++;
        else if (a[0] != '-' || strcmp(a, "-") == 0) input = a;
    }
    if (input == NULL) { errno = EINVAL; return fail("no input file in", argv[0]); }
    int fd = strcmp(input, "-") == 0 ? 0 : open(input, O_RDONLY);
    if (fd < 0) return fail("cannot open", input);
    size_t len = 0;
    char *source = read_all(fd, &len);
    if (source == NULL) return fail("cannot read", input);
    if (preprocess) {
        /* One line marker, then the file as it is: -fdirectives-only output of a file without directives. */
        printf("# 1 \"%s\"\n", input);
        fwrite(source, 1, len, stdout);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    sleep_ms(delay_ms(source));
    char object[128];
    int n = snprintf(object, sizeof object, "sshcc stand-in object\nfnv1a64 %016llx\nbytes %zu\n", (unsigned long long)fnv1a(source, len), len);
    return write_file(output != NULL ? output : "a.out", object, (size_t)n);
}
