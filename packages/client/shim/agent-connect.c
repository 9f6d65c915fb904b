/* Connect to the agent, starting it when there is none: the same steps as
 * packages/client/src/thin/connect-agent.ts. */
#define _GNU_SOURCE
#include "sshcc-shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum attempt { CONNECTED, ABSENT, FATAL };

static enum attempt try_connect(const struct agent_paths *paths, int *fd_out, char *why, size_t why_len) {
    switch (check_agent_dir(paths->dir, why, why_len)) {
    case DIR_MISSING: return ABSENT;
    case DIR_UNSAFE: return FATAL;
    case DIR_OK: break;
    }
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(paths->socket) >= sizeof addr.sun_path) {
        snprintf(why, why_len, "socket path %s is too long", paths->socket);
        return FATAL;
    }
    strcpy(addr.sun_path, paths->socket);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(why, why_len, "socket: %s", strerror(errno));
        return FATAL;
    }
    while (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        if (errno == EINTR) continue;
        int err = errno;
        close(fd);
        if (err == ENOENT || err == ECONNREFUSED) return ABSENT;
        snprintf(why, why_len, "cannot connect to %s: %s", paths->socket, strerror(err));
        return FATAL;
    }
    *fd_out = fd;
    return CONNECTED;
}

/* The agent outlives this client by hours: it must not hold what the build handed us, such as a
 * pipe someone reads to EOF (`make | tee`, fd 7 of a script) or make's jobserver. */
static void close_inherited_from(int first) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0) return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    for (int fd = first; fd < (max > 0 && max < 65536 ? max : 65536); fd++) close(fd);
}

/* node <entry> in its own session, stdio on /dev/null, cwd /: it outlives this client, and make's job
 * control never sees it. It stays our child only so that an early failure is noticed. */
static pid_t spawn_agent(const char *node, const char *entry) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    setsid();
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, 0);
        dup2(null_fd, 1);
        dup2(null_fd, 2);
        if (null_fd > 2) close(null_fd);
    }
    close_inherited_from(3);
    if (chdir("/") != 0) _exit(126);
    char *const argv[] = {(char *)node, (char *)entry, NULL};
    if (strchr(node, '/')) execv(node, argv);
    else execvp(node, argv);
    _exit(127);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int connect_or_start_agent(const struct agent_paths *paths, const char *node, const char *entry, char *why, size_t why_len) {
    int fd = -1;
    enum attempt first = try_connect(paths, &fd, why, why_len);
    if (first == CONNECTED) return fd;
    if (first == FATAL) return -1;

    pid_t child = spawn_agent(node, entry);
    if (child < 0) {
        snprintf(why, why_len, "cannot start the agent: fork: %s", strerror(errno));
        return -1;
    }
    int reaped = 0;
    long long deadline = now_ms() + AGENT_START_WAIT_MS;
    for (;;) {
        struct timespec pause = {0, AGENT_RETRY_MS * 1000000L};
        nanosleep(&pause, NULL);
        enum attempt next = try_connect(paths, &fd, why, why_len);
        if (next == CONNECTED) return fd;
        if (next == FATAL) return -1;
        int status;
        if (!reaped && waitpid(child, &status, WNOHANG) == child) {
            reaped = 1;
            /* Exit 0 means another agent won the start-up race: keep waiting for its socket. */
            if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
                snprintf(why, why_len, "the agent exited at start-up (code %d; see %s)", WEXITSTATUS(status), paths->log_file);
                return -1;
            }
            if (WIFSIGNALED(status)) {
                snprintf(why, why_len, "the agent exited at start-up (signal %d; see %s)", WTERMSIG(status), paths->log_file);
                return -1;
            }
        }
        if (now_ms() >= deadline) {
            snprintf(why, why_len, "the agent did not answer on %s within %d ms", paths->socket, AGENT_START_WAIT_MS);
            return -1;
        }
    }
}
