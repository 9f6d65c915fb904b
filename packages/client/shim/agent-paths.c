/* The rule of packages/client/src/wire/agent-paths.ts, byte for byte: <configDir>/agent.sock unless
 * that is longer than sun_path or configDir is on a network file system; then
 * $XDG_RUNTIME_DIR/sshcc/agent-<fnv1a(configDir)>.sock when that fits, else /tmp/sshcc-<uid>/... */
#define _GNU_SOURCE
#include "sshcc-shim.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static const unsigned long network_fs_types[] = {
    0x6969, 0x517b, 0xff534d42, 0xfe534d42, 0x5346414f, 0x6b414653,
    0x73757245, 0x01021997, 0x65735546, 0x00c36400, 0x786f4256, 0x0bd00bd0,
};

static void strip_trailing_slashes(char *path) {
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') path[--len] = '\0';
    if (len == 1 && path[0] == '/') return;
    if (len == 0) strcpy(path, "/");
}

/* base/name, without doubling the slash of "/". Returns -1 when it does not fit. */
static int join_path(char *out, size_t out_len, const char *base, const char *name) {
    int n = strcmp(base, "/") == 0 ? snprintf(out, out_len, "/%s", name) : snprintf(out, out_len, "%s/%s", base, name);
    return n < 0 || (size_t)n >= out_len ? -1 : 0;
}

static uint32_t fnv1a32(const char *text) {
    uint32_t hash = 0x811c9dc5u;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        hash ^= *p;
        hash *= 0x01000193u;
    }
    return hash;
}

/* statfs of the folder or of its nearest existing ancestor: the agent may not have made it yet. */
static int on_network_fs(const char *path) {
    char current[PATH_MAX];
    snprintf(current, sizeof current, "%s", path);
    for (;;) {
        struct statfs info;
        if (statfs(current, &info) == 0) {
            unsigned long type = (unsigned long)info.f_type & 0xffffffffUL;
            for (size_t i = 0; i < sizeof network_fs_types / sizeof network_fs_types[0]; i++)
                if (type == network_fs_types[i]) return 1;
            return 0;
        }
        if ((errno != ENOENT && errno != ENOTDIR) || strcmp(current, "/") == 0) return 0;
        char *slash = strrchr(current, '/');
        if (slash == current) current[1] = '\0';
        else *slash = '\0';
    }
}

static int in_dir(struct agent_paths *paths, const char *dir, const char *name) {
    char prefix[PATH_MAX];
    snprintf(paths->dir, sizeof paths->dir, "%s", dir);
    if (join_path(prefix, sizeof prefix, dir, name) != 0) return -1;
    if (snprintf(paths->socket, sizeof paths->socket, "%s.sock", prefix) >= (int)sizeof paths->socket) return -1;
    if (snprintf(paths->log_file, sizeof paths->log_file, "%s.log", prefix) >= (int)sizeof paths->log_file) return -1;
    return 0;
}

int resolve_agent_paths(const char *cwd, struct agent_paths *paths) {
    const char *configured = getenv("SSHCC_DIR");
    char base[PATH_MAX];
    if (configured && *configured) {
        if (configured[0] == '/') {
            snprintf(paths->config_dir, sizeof paths->config_dir, "%s", configured);
        } else {
            snprintf(base, sizeof base, "%s", cwd);
            strip_trailing_slashes(base);
            if (join_path(paths->config_dir, sizeof paths->config_dir, base, configured) != 0) return -1;
        }
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home) {
            struct passwd *pw = getpwuid(getuid());
            if (!pw || !pw->pw_dir) return -1;
            home = pw->pw_dir;
        }
        snprintf(base, sizeof base, "%s", home);
        strip_trailing_slashes(base);
        if (join_path(paths->config_dir, sizeof paths->config_dir, base, ".sshcc") != 0) return -1;
    }
    strip_trailing_slashes(paths->config_dir);

    char socket[PATH_MAX];
    if (join_path(socket, sizeof socket, paths->config_dir, "agent.sock") != 0) return -1;
    if (strlen(socket) <= SOCKET_PATH_MAX_BYTES && !on_network_fs(paths->config_dir))
        return in_dir(paths, paths->config_dir, "agent");

    char name[32], dir[PATH_MAX], candidate[PATH_MAX];
    snprintf(name, sizeof name, "agent-%08x", fnv1a32(paths->config_dir));
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    if (runtime && runtime[0] == '/') {
        snprintf(base, sizeof base, "%s", runtime);
        strip_trailing_slashes(base);
        char sock_name[64];
        snprintf(sock_name, sizeof sock_name, "%s.sock", name);
        if (join_path(dir, sizeof dir, base, "sshcc") == 0 && join_path(candidate, sizeof candidate, dir, sock_name) == 0 &&
            strlen(candidate) <= SOCKET_PATH_MAX_BYTES)
            return in_dir(paths, dir, name);
    }
    snprintf(dir, sizeof dir, "/tmp/sshcc-%u", (unsigned)getuid());
    return in_dir(paths, dir, name);
}

/* Only a folder this user owns and nobody else can write to may hold the socket we trust. */
enum dir_state check_agent_dir(const char *dir, char *why, size_t why_len) {
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) return DIR_MISSING;
        snprintf(why, why_len, "cannot check %s: %s", dir, strerror(errno));
        return DIR_UNSAFE;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, why_len, "%s is not a folder", dir);
        return DIR_UNSAFE;
    }
    if (st.st_uid != getuid()) {
        snprintf(why, why_len, "%s belongs to uid %u, not %u", dir, (unsigned)st.st_uid, (unsigned)getuid());
        return DIR_UNSAFE;
    }
    if (st.st_mode & 022) {
        snprintf(why, why_len, "%s is writable by others (mode %o)", dir, (unsigned)(st.st_mode & 0777));
        return DIR_UNSAFE;
    }
    return DIR_OK;
}
