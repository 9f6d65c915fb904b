/* sshcc, the C shim: `sshcc gcc -c foo.c`, `gcc -c foo.c` through a masquerade link, or a subcommand
 * (`sshcc agent status`), which goes to the Node CLI. The routing rule is classifyInvocation() in
 * packages/client/src/thin/subcommands.ts; the subcommand list comes from there at build time. */
#define _GNU_SOURCE
#include "sshcc-shim.h"
#include "sshcc-build-config.h" /* written by packages/client/build: SSHCC_NODE_PATH, SSHCC_BUILD_DIR, SSHCC_SUBCOMMANDS */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const subcommands[] = {SSHCC_SUBCOMMANDS, NULL};

static int is_subcommand(const char *word) {
    for (const char *const *s = subcommands; *s; s++)
        if (strcmp(*s, word) == 0) return 1;
    return 0;
}

static int is_masquerade(const char *argv0) {
    const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
    return strncmp(base, "sshcc", 5) != 0;
}

const char *node_path(void) {
    const char *node = getenv("SSHCC_NODE");
    if (node && *node) return node;
    if (access(SSHCC_NODE_PATH, X_OK) == 0) return SSHCC_NODE_PATH;
    return "node";
}

int current_depth(void) {
    const char *value = getenv("SSHCC_DEPTH");
    int depth = value ? atoi(value) : 0;
    return depth > 0 ? depth : 0;
}

/* `launched`: the path an installed package's sh launcher was run as (LAUNCH_ARGV0_VAR), when that
 * launcher ran this shim from the cache: dist/ is then where the launcher is, not where this file is. */
static void locate_self(struct self *self, const char *launched) {
    char link[PATH_MAX];
    const char *found = launched;
    if (!found) {
        ssize_t n = readlink("/proc/self/exe", link, sizeof link - 1);
        if (n > 0) {
            link[n] = '\0';
            found = link;
        }
    }
    if (!found) snprintf(self->exe, sizeof self->exe, "%s/sshcc", SSHCC_BUILD_DIR);
    else if (!realpath(found, self->exe)) snprintf(self->exe, sizeof self->exe, "%s", found);
    snprintf(self->dir, sizeof self->dir, "%s", self->exe);
    char *slash = strrchr(self->dir, '/');
    if (slash) *slash = '\0';
}

/* Interrupted while the agent works: exiting closes the socket, which cancels the job there. A
 * preprocessor running for the agent has a process group of its own, which the build's Ctrl-C or
 * SIGTERM does not reach: it goes first. */
static void on_interrupt(int sig) {
    stop_preprocessor();
    _exit(128 + sig);
}

static void die_like(uint32_t sig) {
    signal((int)sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, (int)sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise((int)sig);
    _exit(128 + (int)sig);
}

/* Sends the request and reads the first answer; returns the connection. An agent closes without a word
 * when it yields to a newer client (or its install was replaced: packages/client/src/agent/README.md);
 * the agent this shim then starts serves the compile. Only once: any other failure, or a second
 * silence, hands the compile over. */
static int ask_agent(const struct agent_paths *paths, const char *entry, const char *cwd, const struct self *self, const char *argv0, int argc, char **argv, struct answer *answer) {
    char why[WHY_BYTES] = "";
    for (int attempt = 0;; attempt++) {
        int fd = connect_or_start_agent(paths, node_path(), entry, why, sizeof why);
        if (fd < 0) hand_over(self, argv0, argc, argv, why);
        /* A failed send: the agent closed before it read the request, silent as well. */
        int failed = ANSWER_SILENT;
        if (send_compile_request(fd, argc, argv, argv0, cwd, self->exe, why, sizeof why) == 0) failed = read_answer(fd, answer, why, sizeof why);
        if (failed == 0) return fd;
        close(fd);
        if (failed != ANSWER_SILENT || attempt > 0) hand_over(self, argv0, argc, argv, why);
    }
}

static void compile(const struct self *self, const char *argv0, int argc, char **argv) {
    char why[WHY_BYTES] = "";
    int depth = current_depth();
    if (depth >= MAX_DEPTH) {
        snprintf(why, sizeof why, "%s leads back to sshcc %d times (a masquerade link or wrapper earlier on PATH runs sshcc again; check PATH)", argv[0], depth);
        fail(EXIT_COMPILER_NOT_FOUND, "compiler", why);
    }
    /* Run by a compiler sshcc started: no agent, just the real compiler (the thin client finds it). */
    if (depth > 0) hand_over(self, argv0, argc, argv, "nested");

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);

    char cwd[PATH_MAX];
    struct agent_paths paths;
    if (!getcwd(cwd, sizeof cwd)) hand_over(self, argv0, argc, argv, "cannot read the working directory");
    if (resolve_agent_paths(cwd, &paths) != 0) hand_over(self, argv0, argc, argv, "cannot work out the agent's socket path");

    const char *entry = getenv("SSHCC_AGENT_ENTRY");
    char default_entry[SCRIPT_PATH_BYTES];
    if (!entry || !*entry) {
        snprintf(default_entry, sizeof default_entry, "%s/agent/main.js", self->dir);
        entry = default_entry;
    }
    struct answer answer;
    int fd = ask_agent(&paths, entry, cwd, self, argv0, argc, argv, &answer);
    while (answer.kind == FRAME_PREPROCESS) {
        relay_preprocessor(fd, answer.argv, depth);
        free(answer.argv[0]); /* the frame's payload, which argv points into */
        free(answer.argv);
        if (read_answer(fd, &answer, why, sizeof why) != 0) {
            close(fd);
            hand_over(self, argv0, argc, argv, why);
        }
    }
    close(fd);
    if (answer.kind == FRAME_EXEC) {
        if (answer.err_len) write_all(2, answer.err, answer.err_len); /* a note the agent sends first */
        exec_compiler(answer.argv, depth);
    }
    if (answer.out_len) write_all(1, answer.out, answer.out_len);
    if (answer.err_len) write_all(2, answer.err, answer.err_len);
    if (answer.kind == FRAME_SIGNAL) die_like(answer.value);
    exit((int)answer.value);
}

/* Taken out of the environment at once: the compilers this shim runs must not see it. */
static char *take_launch_argv0(void) {
    const char *value = getenv(LAUNCH_ARGV0_VAR);
    char *copy = value && *value ? strdup(value) : NULL;
    unsetenv(LAUNCH_ARGV0_VAR);
    return copy;
}

int main(int argc, char **argv) {
    struct self self;
    char *launched = take_launch_argv0();
    locate_self(&self, launched);
    if (launched && argc > 0) argv[0] = launched;
    const char *argv0 = argc > 0 ? argv[0] : "sshcc";
    if (argc > 0 && is_masquerade(argv0)) compile(&self, argv0, argc, argv);
    if (argc < 2 || argv[1][0] == '-' || (!strchr(argv[1], '/') && is_subcommand(argv[1]))) exec_cli(&self, argc, argv);
    compile(&self, argv0, argc - 1, argv + 1);
    return EXIT_INTERNAL;
}
