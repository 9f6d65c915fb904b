/* The request the shim sends and the answer frames it reads; the format is documented in
 * packages/client/src/agent/README.md. Every length is checked before anything is allocated. */
#define _GNU_SOURCE
#include "sshcc-shim.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

void put_u32(char *p, uint32_t v) {
    p[0] = (char)(v >> 24);
    p[1] = (char)(v >> 16);
    p[2] = (char)(v >> 8);
    p[3] = (char)v;
}

static uint32_t get_u32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* An environment entry the agent accepts: NAME=value with a non-empty name. */
static int env_entry_ok(const char *entry) {
    const char *eq = strchr(entry, '=');
    return eq != NULL && eq != entry;
}

static char *put_string(char *p, const char *s) {
    size_t len = strlen(s) + 1;
    memcpy(p, s, len);
    return p + len;
}

int send_compile_request(int fd, int argc, char **argv, const char *argv0, const char *cwd, const char *exe, char *why, size_t why_len) {
    const char *fixed[3] = {argv0, cwd, exe};
    size_t body = COMPILE_BODY_FIXED_BYTES;
    uint32_t envc = 0;
    for (int i = 0; i < 3; i++) body += strlen(fixed[i]) + 1;
    for (int i = 0; i < argc; i++) {
        size_t len = strlen(argv[i]);
        if (len > MAX_STRING_BYTES) goto too_big;
        body += len + 1;
    }
    for (char **e = environ; *e; e++) {
        if (!env_entry_ok(*e)) continue;
        size_t len = strlen(*e);
        if (len > MAX_STRING_BYTES) goto too_big;
        body += len + 1;
        envc++;
    }
    if (body > MAX_REQUEST_BODY_BYTES || (uint32_t)argc > MAX_ARGC || envc > MAX_ENVC) goto too_big;

    char *buf = malloc(REQUEST_HEADER_BYTES + body);
    if (!buf) {
        snprintf(why, why_len, "out of memory for the request");
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    put_u32(buf, REQUEST_MAGIC);
    buf[4] = WIRE_VERSION;
    buf[5] = REQUEST_KIND_COMPILE;
    /* The flags: the one there is says whether our stderr is a terminal (gcc colours by it). */
    buf[6] = 0;
    buf[7] = isatty(2) ? 1 : 0;
    put_u32(buf + 8, (uint32_t)body);
    put_u32(buf + 12, (uint32_t)mask);
    put_u32(buf + 16, (uint32_t)argc);
    put_u32(buf + 20, envc);
    char *p = buf + REQUEST_HEADER_BYTES + COMPILE_BODY_FIXED_BYTES;
    for (int i = 0; i < 3; i++) p = put_string(p, fixed[i]);
    for (int i = 0; i < argc; i++) p = put_string(p, argv[i]);
    for (char **e = environ; *e; e++)
        if (env_entry_ok(*e)) p = put_string(p, *e);

    size_t total = REQUEST_HEADER_BYTES + body, sent = 0;
    while (sent < total) {
        ssize_t n = send(fd, buf + sent, total - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            snprintf(why, why_len, "cannot send the request to the agent: %s", strerror(errno));
            free(buf);
            return -1;
        }
        sent += (size_t)n;
    }
    free(buf);
    return 0;

too_big:
    snprintf(why, why_len, "the command line is over the agent's request limits");
    return -1;
}

/* 1 = all read, 0 = end of stream before it, -1 = error. */
static int read_full(int fd, void *buf, size_t len) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) return 0;
        got += (size_t)n;
    }
    return 1;
}

static int bad(char *why, size_t why_len, const char *what) {
    snprintf(why, why_len, "bad answer from the agent: %s", what);
    return -1;
}

/* exec and preprocess payloads: NUL-terminated strings → a NULL-terminated argv pointing into the payload. */
static int parse_argv(char *payload, size_t len, struct answer *answer, char *why, size_t why_len) {
    if (len == 0 || payload[len - 1] != '\0') return bad(why, why_len, "argv is not NUL-terminated");
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        if (payload[i] == '\0') count++;
    if (count > MAX_ARGC || payload[0] == '\0') return bad(why, why_len, "argv is empty or too long");
    char **argv = calloc(count + 1, sizeof *argv);
    if (!argv) return bad(why, why_len, "out of memory");
    char *p = payload;
    for (size_t i = 0; i < count; i++) {
        argv[i] = p;
        p += strlen(p) + 1;
    }
    answer->argv = argv;
    return 0;
}

static int append(char **buf, size_t *len, const char *data, size_t n) {
    if (n == 0) return 0;
    char *grown = realloc(*buf, *len + n);
    if (!grown) return -1;
    memcpy(grown + *len, data, n);
    *buf = grown;
    *len += n;
    return 0;
}

int read_answer(int fd, struct answer *answer, char *why, size_t why_len) {
    memset(answer, 0, sizeof *answer);
    size_t total = 0;
    for (;;) {
        unsigned char header[FRAME_HEADER_BYTES];
        int r = read_full(fd, header, sizeof header);
        /* Closed before a byte: at once (EOF), or with our request unread (the kernel resets then). */
        if ((r == 0 || (r < 0 && errno == ECONNRESET)) && total == 0 && !answer->out && !answer->err) {
            snprintf(why, why_len, "the agent closed the connection without an answer");
            return ANSWER_SILENT;
        }
        if (r == 0) return bad(why, why_len, "the agent closed the connection without an answer");
        if (r < 0) return bad(why, why_len, strerror(errno));
        int kind = header[0];
        uint32_t len = get_u32(header + 1);
        if (len > MAX_FRAME_BYTES) return bad(why, why_len, "frame over the size limit");
        if (total + len > MAX_ANSWER_BYTES) return bad(why, why_len, "answer over the size limit");
        if ((kind < FRAME_EXEC || kind > FRAME_SIGNAL) && kind != FRAME_PREPROCESS) return bad(why, why_len, "unknown frame kind");
        total += len;
        char *payload = malloc(len + 1);
        if (!payload) return bad(why, why_len, "out of memory");
        r = read_full(fd, payload, len);
        if (r <= 0) {
            free(payload);
            return bad(why, why_len, "the agent closed the connection mid-frame");
        }
        switch (kind) {
        case FRAME_STDOUT:
        case FRAME_STDERR: {
            int failed = kind == FRAME_STDOUT ? append(&answer->out, &answer->out_len, payload, len)
                                              : append(&answer->err, &answer->err_len, payload, len);
            free(payload);
            if (failed) return bad(why, why_len, "out of memory");
            continue;
        }
        case FRAME_EXEC:
        case FRAME_PREPROCESS:
            answer->kind = kind;
            return parse_argv(payload, len, answer, why, why_len); /* payload stays: argv points into it */
        default: /* FRAME_EXIT, FRAME_SIGNAL */
            if (len != 4) {
                free(payload);
                return bad(why, why_len, "exit frame is not 4 bytes");
            }
            answer->kind = kind;
            answer->value = get_u32((unsigned char *)payload);
            free(payload);
            if (kind == FRAME_EXIT && answer->value > 255) return bad(why, why_len, "exit code out of range");
            if (kind == FRAME_SIGNAL && (answer->value < 1 || answer->value > 64)) return bad(why, why_len, "signal out of range");
            return 0;
        }
    }
}

/* The whole buffer, in one write(2) unless the kernel takes less: a job's messages stay in one piece. */
int write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd pfd = {fd, POLLOUT, 0};
            poll(&pfd, 1, -1);
            continue;
        }
        if (n < 0) return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}
