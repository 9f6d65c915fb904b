/* sshcc's per-compile client in C: starts in about a millisecond, where Node needs 20-60.
 * It only routes and relays: ask the agent over its unix socket, then exec what it says or print
 * the result it sends. Anything it cannot do, it hands to the TS thin client (node sshcc-thin.js).
 * The numbers below mirror packages/client/src/wire/wire-format.ts, wire-limits.ts,
 * connect-agent.ts and handover-env.ts; a test checks that they agree. */
#ifndef SSHCC_SHIM_H
#define SSHCC_SHIM_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define REQUEST_MAGIC 0x53534343u
#define WIRE_VERSION 3
#define REQUEST_HEADER_BYTES 12
#define COMPILE_BODY_FIXED_BYTES 12
#define REQUEST_KIND_COMPILE 1
#define FRAME_HEADER_BYTES 5
#define FRAME_EXEC 1
#define FRAME_STDOUT 2
#define FRAME_STDERR 3
#define FRAME_EXIT 4
#define FRAME_SIGNAL 5
#define FRAME_PREPROCESS 9
#define CLIENT_FRAME_OUTPUT 1
#define CLIENT_FRAME_DIAGNOSTICS 2
#define CLIENT_FRAME_END 3
#define CLIENT_END_BYTES 8
#define CLIENT_FRAME_CHECKED 4
#define CLIENT_CHECKED_BYTES 4

#define MAX_REQUEST_BODY_BYTES (16u * 1024 * 1024)
#define MAX_ARGC 262144u
#define MAX_ENVC 65536u
#define MAX_STRING_BYTES (128u * 1024)
#define MAX_FRAME_BYTES (64u * 1024 * 1024)
#define MAX_ANSWER_BYTES (256u * 1024 * 1024)
#define SOCKET_PATH_MAX_BYTES 107

#define AGENT_START_WAIT_MS 10000
#define AGENT_RETRY_MS 10
#define MAX_DEPTH 3
/* Set by the sh launcher of an installed package (scripts/package.js) to the path it was run as. */
#define LAUNCH_ARGV0_VAR "SSHCC_LAUNCH_ARGV0"

#define EXIT_USAGE 100
#define EXIT_COMPILER_NOT_FOUND 104
#define EXIT_AGENT_UNAVAILABLE 105
#define EXIT_INTERNAL 125

#define WHY_BYTES 1024
/* A file name under self->dir: the dir plus a short name. */
#define SCRIPT_PATH_BYTES (PATH_MAX + 64)

struct agent_paths {
    char config_dir[PATH_MAX];
    char dir[PATH_MAX];
    char socket[PATH_MAX];
    char log_file[PATH_MAX];
};

/* Where this executable lives: dist/ holds sshcc-thin.js, cli/main.js and agent/main.js. */
struct self {
    char exe[PATH_MAX];
    char dir[PATH_MAX];
};

struct answer {
    int kind; /* FRAME_EXEC, FRAME_EXIT, FRAME_SIGNAL, or FRAME_PREPROCESS (not final: read on after it) */
    char **argv; /* FRAME_EXEC, FRAME_PREPROCESS */
    uint32_t value; /* exit code or signal number */
    char *out;
    size_t out_len;
    char *err;
    size_t err_len;
};

/* agent-paths.c */
int resolve_agent_paths(const char *cwd, struct agent_paths *paths);
enum dir_state { DIR_OK, DIR_MISSING, DIR_UNSAFE };
enum dir_state check_agent_dir(const char *dir, char *why, size_t why_len);

/* agent-connect.c: a connected fd, or -1 with why filled. */
int connect_or_start_agent(const struct agent_paths *paths, const char *node, const char *entry, char *why, size_t why_len);

/* agent-wire.c: 0 on success, -1 with why filled; read_answer returns ANSWER_SILENT (why filled) when
 * the agent closed the connection before sending anything. */
#define ANSWER_SILENT (-2)
int send_compile_request(int fd, int argc, char **argv, const char *argv0, const char *cwd, const char *exe, char *why, size_t why_len);
int read_answer(int fd, struct answer *answer, char *why, size_t why_len);
int write_all(int fd, const char *data, size_t len);
void put_u32(char *p, uint32_t v); /* big-endian, as every number on the wire */

/* preprocess.c: runs argv and streams its output to the agent; returns when it has ended, or early
 * when the agent has something to say (its answer then waits on fd). Failures are left to the agent's
 * answer, or to reading it. */
void relay_preprocessor(int fd, char **argv, int depth);
/* check-lines.c: cpp's directives-only output checked against the files it names (and its directives
 * put back as those files spell them); the verdict says whether every line held. */
struct line_checker;
struct line_checker *line_checker_new(void);
void line_checker_feed(struct line_checker *c, const char *data, size_t len);
int line_checker_finish(struct line_checker *c);
char *line_checker_output(struct line_checker *c, size_t *len);
void line_checker_free(struct line_checker *c);
/* Kills the running preprocessor's whole process group, if one runs; async-signal-safe. */
void stop_preprocessor(void);

/* hand-over.c: none of these return. */
void exec_cli(const struct self *self, int argc, char **argv);
void hand_over(const struct self *self, const char *argv0, int argc, char **argv, const char *why);
void exec_compiler(char **argv, int depth);
void fail(int code, const char *what, const char *why);

/* main.c */
int current_depth(void);
const char *node_path(void);

#endif
