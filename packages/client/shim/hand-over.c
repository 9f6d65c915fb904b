/* Everything the shim does not do itself goes to Node: the CLI (dist/cli/main.js) and, when the
 * agent cannot be had, the TS thin client (dist/sshcc-thin.js), which compiles locally. */
#define _GNU_SOURCE
#include "sshcc-shim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fail(int code, const char *what, const char *why) {
    char line[WHY_BYTES + 64];
    int n = snprintf(line, sizeof line, "sshcc: %s: %s\n", what, why);
    if (n > 0) write_all(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    _exit(code);
}

static void exec_node(const char *script, int argc, char **argv) {
    const char *node = node_path();
    char **args = calloc((size_t)argc + 3, sizeof *args);
    if (!args) return;
    args[0] = (char *)node;
    args[1] = (char *)script;
    for (int i = 0; i < argc; i++) args[i + 2] = argv[i];
    if (strchr(node, '/')) execv(node, args);
    else execvp(node, args);
    free(args);
}

void exec_cli(const struct self *self, int argc, char **argv) {
    char script[SCRIPT_PATH_BYTES];
    snprintf(script, sizeof script, "%s/cli/main.js", self->dir);
    exec_node(script, argc - 1, argv + 1);
    char why[WHY_BYTES];
    snprintf(why, sizeof why, "cannot run %.400s %.400s: %s", node_path(), script, strerror(errno));
    fail(EXIT_INTERNAL, "internal error", why);
}

static int is_self(const char *path, const struct stat *self) {
    struct stat st;
    return stat(path, &st) == 0 && st.st_dev == self->st_dev && st.st_ino == self->st_ino;
}

static int executable_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The last resort when not even node runs: the real compiler found on PATH, sshcc skipped. */
static void compile_here(const struct self *self, char **argv) {
    struct stat me;
    if (stat(self->exe, &me) != 0) memset(&me, 0, sizeof me);
    const char *name = argv[0];
    if (strchr(name, '/') && executable_file(name) && !is_self(name, &me)) exec_compiler(argv, current_depth());
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    char candidate[PATH_MAX];
    for (const char *entry = path;; entry = strchr(entry, ':') + 1) {
        size_t len = strchr(entry, ':') ? (size_t)(strchr(entry, ':') - entry) : strlen(entry);
        int n = len == 0 ? snprintf(candidate, sizeof candidate, "%s", base)
                         : snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, entry, base);
        if (n > 0 && (size_t)n < sizeof candidate && executable_file(candidate) && !is_self(candidate, &me)) {
            argv[0] = candidate;
            exec_compiler(argv, current_depth());
        }
        if (!strchr(entry, ':')) break;
    }
    char why[WHY_BYTES];
    snprintf(why, sizeof why, "%s is not on PATH (sshcc itself skipped)", name);
    fail(EXIT_COMPILER_NOT_FOUND, "compiler", why);
}

void hand_over(const struct self *self, const char *argv0, int argc, char **argv, const char *why) {
    char script[SCRIPT_PATH_BYTES];
    snprintf(script, sizeof script, "%s/sshcc-thin.js", self->dir);
    setenv("SSHCC_HANDOVER_ARGV0", argv0, 1);
    setenv("SSHCC_HANDOVER_SELF", self->exe, 1);
    setenv("SSHCC_HANDOVER_NO_AGENT", why, 1);
    /* Node reads NODE_EXTRA_CA_CERTS at start-up (~30 ms); the thin client does no TLS and puts the
     * value back for the compiler. */
    const char *ca = getenv("NODE_EXTRA_CA_CERTS");
    if (ca) {
        setenv("SSHCC_HANDOVER_CA_CERTS", ca, 1);
        unsetenv("NODE_EXTRA_CA_CERTS");
    }
    if (access(script, R_OK) == 0) exec_node(script, argc, argv);
    /* No node, or no thin client: undo, and do its job here. */
    if (ca) {
        setenv("NODE_EXTRA_CA_CERTS", getenv("SSHCC_HANDOVER_CA_CERTS"), 1);
        unsetenv("SSHCC_HANDOVER_CA_CERTS");
    }
    unsetenv("SSHCC_HANDOVER_ARGV0");
    unsetenv("SSHCC_HANDOVER_SELF");
    unsetenv("SSHCC_HANDOVER_NO_AGENT");
    const char *fallback = getenv("SSHCC_FALLBACK");
    if (fallback && strcmp(fallback, "0") == 0) fail(EXIT_AGENT_UNAVAILABLE, "agent", why);
    compile_here(self, argv);
}

/* execvp with the recursion marker set: a compiler that runs sshcc again is noticed. */
void exec_compiler(char **argv, int depth) {
    char value[16];
    snprintf(value, sizeof value, "%d", depth + 1);
    setenv("SSHCC_DEPTH", value, 1);
    if (strchr(argv[0], '/')) execv(argv[0], argv);
    else execvp(argv[0], argv);
    int err = errno;
    char why[WHY_BYTES];
    snprintf(why, sizeof why, "cannot run %s: %s", argv[0], strerror(err));
    fail(err == ENOENT ? 127 : 126, "compiler", why);
}
