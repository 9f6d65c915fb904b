/* The preprocessor, run here when the agent asks (a preprocess frame): its output goes to the agent as
 * client frames while it runs. The format is in packages/client/src/agent/README.md. */
#define _GNU_SOURCE
#include "sshcc-shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* One pipe's capacity: a read never returns more, so each read becomes one frame. */
#define RELAY_CHUNK_BYTES (64 * 1024)

/* The process group of the preprocessor running now (its driver's pid), 0 when none: what
 * stop_preprocessor() kills, from a signal handler too. */
static volatile sig_atomic_t running_group = 0;

void stop_preprocessor(void) {
    pid_t group = running_group;
    if (group > 0) kill(-group, SIGKILL);
}

static int send_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* buf holds FRAME_HEADER_BYTES of room, then len payload bytes. */
static int send_frame(int fd, int kind, char *buf, size_t len) {
    buf[0] = (char)kind;
    put_u32(buf + 1, (uint32_t)len);
    return send_all(fd, buf, FRAME_HEADER_BYTES + len);
}

/* The preprocessor gets a process group of its own, so that stopping it stops everything it started:
 * gcc -E forks cc1, which a kill of the driver alone leaves running (an orphan until its next write
 * fails, forever when it blocks on an include that never comes). A client that catches its signal kills
 * the whole group; one SIGKILLed takes the driver with it (PR_SET_PDEATHSIG), while gcc's cc1 lives on
 * until its next write to the closed pipe fails. */
static void run_child(int fd, int out, int err, char **argv, int depth, pid_t parent) {
    setpgid(0, 0);
    /* prctl reads its arguments as unsigned long. A parent already gone sent no signal: end here. */
    if (prctl(PR_SET_PDEATHSIG, (unsigned long)SIGKILL) != 0 || getppid() != parent) _exit(127);
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    close(fd);
    char value[16];
    snprintf(value, sizeof value, "%d", depth + 1);
    setenv("SSHCC_DEPTH", value, 1);
    if (strchr(argv[0], '/')) execv(argv[0], argv);
    else execvp(argv[0], argv);
    char line[WHY_BYTES];
    int n = snprintf(line, sizeof line, "sshcc: cannot run %s: %s\n", argv[0], strerror(errno));
    if (n > 0) write_all(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    _exit(127);
}

enum { AGENT_SPOKE = -1, RELAY_FAILED = -2 };

/* The checked output so far as an output frame; at the end of cpp's output, the rest and the verdict. */
static int send_checked(int fd, struct line_checker *checker, int at_end) {
    int verdict = at_end ? line_checker_finish(checker) : 0;
    size_t len;
    char *out = line_checker_output(checker, &len);
    if (len > 0 && send_frame(fd, CLIENT_FRAME_OUTPUT, out, len) != 0) return -1;
    if (!at_end) return 0;
    char frame[FRAME_HEADER_BYTES + CLIENT_CHECKED_BYTES];
    put_u32(frame + FRAME_HEADER_BYTES, verdict ? 1u : 0u);
    return send_frame(fd, CLIENT_FRAME_CHECKED, frame, CLIENT_CHECKED_BYTES);
}

/* gcc's directives-only output is what the volunteer rebuilds the source files from (check-lines.c). */
static int directives_only(char **argv) {
    for (char **arg = argv; *arg; arg++)
        if (strcmp(*arg, "-fdirectives-only") == 0) return 1;
    return 0;
}

/* Sends what the process says while it runs (its output through `checker`, when there is one). Returns
 * its wait status once it has ended, AGENT_SPOKE when the agent answers first (over its limits, or
 * stopping: its answer decides), or RELAY_FAILED. */
static int relay(int fd, pid_t pid, int out, int err, struct line_checker *checker) {
    static char buf[FRAME_HEADER_BYTES + RELAY_CHUNK_BYTES];
    static const int kinds[2] = {CLIENT_FRAME_OUTPUT, CLIENT_FRAME_DIAGNOSTICS};
    struct pollfd fds[3] = {{out, POLLIN, 0}, {err, POLLIN, 0}, {fd, POLLIN, 0}};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return RELAY_FAILED;
        }
        if (fds[2].revents) return AGENT_SPOKE;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            ssize_t n = read(fds[i].fd, buf + FRAME_HEADER_BYTES, RELAY_CHUNK_BYTES);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n <= 0) {
                fds[i].fd = -1; /* poll skips it from now on; the caller closes it */
                if (i == 0 && checker && send_checked(fd, checker, 1) != 0) return RELAY_FAILED;
            } else if (i == 0 && checker) {
                line_checker_feed(checker, buf + FRAME_HEADER_BYTES, (size_t)n);
                if (send_checked(fd, checker, 0) != 0) return RELAY_FAILED;
            } else if (send_frame(fd, kinds[i], buf, (size_t)n) != 0) {
                return RELAY_FAILED;
            }
        }
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return RELAY_FAILED;
    return status;
}

void relay_preprocessor(int fd, char **argv, int depth) {
    int out[2] = {-1, -1}, err[2] = {-1, -1};
    pid_t pid = -1;
    pid_t self = getpid();
    if (pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0) pid = fork();
    if (pid == 0) run_child(fd, out[1], err[1], argv, depth, self);
    if (pid > 0) {
        /* Here too, so the group exists whichever of the two runs first (after its exec the child's
         * own call has made it; this one then fails, harmlessly). */
        setpgid(pid, pid);
        running_group = pid;
    }
    if (out[1] >= 0) close(out[1]);
    if (err[1] >= 0) close(err[1]);
    struct line_checker *checker = pid > 0 && directives_only(argv) ? line_checker_new() : NULL;
    int status = pid < 0 ? RELAY_FAILED : relay(fd, pid, out[0], err[0], checker);
    if (checker) line_checker_free(checker);
    if (status < 0 && pid > 0) {
        /* Unfinished (the agent answered first, or is gone): nobody wants its output. The driver is
         * not reaped yet, so its pid still names its group. */
        stop_preprocessor();
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    running_group = 0;
    if (out[0] >= 0) close(out[0]);
    if (err[0] >= 0) close(err[0]);
    if (status == AGENT_SPOKE) return;
    char end[FRAME_HEADER_BYTES + CLIENT_END_BYTES];
    if (status == RELAY_FAILED) {
        /* The agent's answer can no longer be trusted to come: end the exchange so that reading it
         * fails at once and the compile is handed over to run here. */
        shutdown(fd, SHUT_RDWR);
        return;
    }
    put_u32(end + FRAME_HEADER_BYTES, WIFEXITED(status) ? (uint32_t)WEXITSTATUS(status) : 0);
    put_u32(end + FRAME_HEADER_BYTES + 4, WIFSIGNALED(status) ? (uint32_t)WTERMSIG(status) : 0);
    if (send_frame(fd, CLIENT_FRAME_END, end, CLIENT_END_BYTES) != 0) shutdown(fd, SHUT_RDWR);
}
