/* The preprocessor's output checked, line by line, against the files its line markers name, on its way
 * to the agent. gcc -E -fdirectives-only copies every line it keeps as it is in the file, except the
 * directives it keeps (#define, #undef, #pragma), which it prints in a normal form on one line. Those
 * are put back as the file spells them (spacing, comments, continuation lines), so that the volunteer,
 * which rebuilds the files from this stream, quotes and counts columns in the very lines a local
 * compile would. Any other line that differs from its file (a #line naming another file, a file edited
 * since, one that cannot be read) is passed on unchanged and makes the verdict "not checked": the agent
 * then trusts no diagnostics the volunteer prints for this compile. */
#define _GNU_SOURCE
#include "sshcc-shim.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A directive spelled over more lines than this is left in its normal form (and the verdict fails). */
#define MAX_DIRECTIVE_LINES 4096

struct source_file {
    char *path;
    const char *text; /* mapped; NULL when it could not be read */
    size_t len;
    /* Where line `at_line` starts: lines are asked for mostly in order, so each lookup walks on from here. */
    size_t at_offset;
    long at_line;
    struct source_file *next;
};

struct line_checker {
    struct source_file *files;
    struct source_file *current; /* NULL: not a file (<built-in>, <command-line>) */
    long line;                   /* the number of the next line in `current` */
    int checked;
    char *carry; /* an incomplete last line */
    size_t carry_len, carry_cap;
    char *out; /* FRAME_HEADER_BYTES of room, then the output */
    size_t out_len, out_cap;
    /* A directive put back over `span` lines: cpp's normal form is followed by span - 1 empty lines,
     * which are held until they have all come. */
    const char *restore_text;
    size_t restore_len;
    long span, blanks;
    char *normal; /* cpp's own line, written instead should the empty lines not come */
    size_t normal_len, normal_cap;
};

static void grow(char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return;
    size_t cap2 = *cap ? *cap : 4096;
    while (cap2 < need) cap2 *= 2;
    char *p = realloc(*buf, cap2);
    if (!p) abort();
    *buf = p;
    *cap = cap2;
}

static void emit(struct line_checker *c, const char *data, size_t len) {
    grow(&c->out, &c->out_cap, FRAME_HEADER_BYTES + c->out_len + len);
    memcpy(c->out + FRAME_HEADER_BYTES + c->out_len, data, len);
    c->out_len += len;
}

/* What cpp leaves of a line it consumed (#include, #if, a skipped branch): nothing, or its indentation. */
static int blank(const char *line, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t') return 0;
    return 1;
}

static void emit_line(struct line_checker *c, const char *line, size_t len) {
    emit(c, line, len);
    emit(c, "\n", 1);
}

/* cpp writes `\\`, `\"` and unprintable bytes as octal escapes in a marker's path. */
static char *unescape_path(const char *p, size_t len) {
    char *path = malloc(len + 1), *w = path;
    if (!path) abort();
    for (size_t i = 0; i < len; i++) {
        if (p[i] != '\\' || i + 1 == len) {
            *w++ = p[i];
            continue;
        }
        if (p[i + 1] >= '0' && p[i + 1] <= '7') {
            int v = 0, n = 0;
            while (n < 3 && i + 1 < len && p[i + 1] >= '0' && p[i + 1] <= '7') v = v * 8 + (p[++i] - '0'), n++;
            *w++ = (char)v;
        } else {
            *w++ = p[++i];
        }
    }
    *w = '\0';
    return path;
}

static struct source_file *source_file(struct line_checker *c, char *path) {
    for (struct source_file *f = c->files; f; f = f->next) {
        if (strcmp(f->path, path) == 0) {
            free(path);
            return f;
        }
    }
    struct source_file *f = calloc(1, sizeof *f);
    if (!f) abort();
    f->path = path;
    f->at_line = 1;
    /* Non-blocking: a marker may name a FIFO or a device, which must not hold the relay up (it is not
     * read: only regular files are checked). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        f->len = (size_t)st.st_size;
        /* An empty file has no lines to check; a map of nothing is not one. */
        f->text = f->len == 0 ? "" : mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (f->text == MAP_FAILED) f->text = NULL;
    }
    if (fd >= 0) close(fd);
    f->next = c->files;
    c->files = f;
    return f;
}

/* Line `n` of the file, without its newline; 0 when the file is shorter. */
static int file_line(struct source_file *f, long n, const char **line, size_t *len) {
    if (n < f->at_line) f->at_offset = 0, f->at_line = 1;
    while (f->at_line < n) {
        const char *nl = memchr(f->text + f->at_offset, '\n', f->len - f->at_offset);
        if (!nl) return 0;
        f->at_offset = (size_t)(nl - f->text) + 1;
        f->at_line++;
    }
    if (f->at_offset >= f->len) return 0;
    const char *start = f->text + f->at_offset;
    const char *nl = memchr(start, '\n', f->len - f->at_offset);
    *line = start;
    *len = nl ? (size_t)(nl - start) : f->len - f->at_offset;
    return 1;
}

/* `# 12 "path" 2 3`: sets the current file and line. */
static int parse_marker(struct line_checker *c, const char *line, size_t len) {
    if (len < 5 || line[0] != '#' || line[1] != ' ' || line[2] < '0' || line[2] > '9') return 0;
    size_t i = 2;
    long n = 0;
    while (i < len && line[i] >= '0' && line[i] <= '9') n = n * 10 + (line[i++] - '0');
    if (i + 1 >= len || line[i] != ' ' || line[i + 1] != '"') return 0;
    size_t start = i + 2, end = start;
    while (end < len && line[end] != '"') end += line[end] == '\\' ? 2 : 1;
    if (end >= len) return 0;
    c->line = n;
    c->current = line[start] == '<' ? NULL : source_file(c, unescape_path(line + start, end - start));
    if (c->current && !c->current->text) {
        c->checked = 0;
        c->current = NULL;
    }
    return 1;
}

/* The directive a line holds (`define` of `  #  define X`), or NULL. */
static const char *directive_name(const char *line, size_t len, size_t *name_len) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i == len || line[i] != '#') return NULL;
    i++;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    size_t start = i;
    while (i < len && ((line[i] >= 'a' && line[i] <= 'z') || line[i] == '_')) i++;
    *name_len = i - start;
    return *name_len ? line + start : NULL;
}

static int restorable(const char *normal, size_t normal_len, const char *orig, size_t orig_len) {
    size_t a, b;
    const char *x = directive_name(normal, normal_len, &a), *y = directive_name(orig, orig_len, &b);
    if (!x || !y || a != b || memcmp(x, y, a) != 0) return 0;
    return (a == 6 && memcmp(x, "define", 6) == 0) || (a == 5 && memcmp(x, "undef", 5) == 0) || (a == 6 && memcmp(x, "pragma", 6) == 0);
}

/* How many lines the directive starting at `text` spans, and its bytes: a backslash before the newline
 * continues it (in a comment too), and so does a block comment left open. Strings and character
 * constants hide comment openers. 0: no end in sight. */
static long directive_span(const char *text, size_t len, size_t *bytes) {
    enum { CODE, BLOCK_COMMENT, LINE_COMMENT, QUOTED } state = CODE;
    char quote = 0;
    long lines = 1;
    for (size_t i = 0; i < len && lines <= MAX_DIRECTIVE_LINES; i++) {
        char ch = text[i];
        if (ch == '\\' && i + 1 < len && (text[i + 1] == '\n' || (text[i + 1] == '\r' && i + 2 < len && text[i + 2] == '\n'))) {
            i += text[i + 1] == '\r' ? 2 : 1;
            lines++;
        } else if (ch == '\n') {
            if (state != BLOCK_COMMENT) {
                *bytes = i;
                return lines;
            }
            lines++;
        } else if (state == BLOCK_COMMENT) {
            if (ch == '*' && i + 1 < len && text[i + 1] == '/') state = CODE, i++;
        } else if (state == QUOTED) {
            if (ch == '\\') i++;
            else if (ch == quote) state = CODE;
        } else if (state == CODE) {
            if (ch == '"' || ch == '\'') state = QUOTED, quote = ch;
            else if (ch == '/' && i + 1 < len && text[i + 1] == '*') state = BLOCK_COMMENT, i++;
            else if (ch == '/' && i + 1 < len && text[i + 1] == '/') state = LINE_COMMENT, i++;
        }
    }
    *bytes = len;
    return state == BLOCK_COMMENT || lines > MAX_DIRECTIVE_LINES ? 0 : lines;
}

/* The held directive's empty lines did not all come: cpp's own lines go out, and the verdict fails. */
static void give_up_restore(struct line_checker *c) {
    emit_line(c, c->normal, c->normal_len);
    for (long i = 0; i < c->blanks; i++) emit(c, "\n", 1);
    c->restore_text = NULL;
    c->checked = 0;
}

static void check_line(struct line_checker *c, const char *line, size_t len) {
    if (c->restore_text) {
        if (blank(line, len)) {
            c->line++;
            if (++c->blanks < c->span - 1) return;
            emit_line(c, c->restore_text, c->restore_len);
            c->restore_text = NULL;
            return;
        }
        /* A marker may stand for the rest of the empty lines (cpp writes one past a long gap). */
        if (line[0] == '#' && line[1] == ' ') {
            emit_line(c, c->restore_text, c->restore_len);
            c->restore_text = NULL;
        } else {
            give_up_restore(c);
        }
    }
    if (parse_marker(c, line, len) || !c->current) {
        if (!c->current) c->line++;
        emit_line(c, line, len);
        return;
    }
    const char *orig = NULL;
    size_t orig_len = 0;
    long n = c->line++;
    /* A blank line stands for one cpp dropped (#include, #if, a skipped branch): nothing to compare. */
    if (blank(line, len) || (file_line(c->current, n, &orig, &orig_len) && orig_len == len && memcmp(orig, line, len) == 0)) {
        emit_line(c, line, len);
        return;
    }
    if (orig == NULL || !restorable(line, len, orig, orig_len)) {
        c->checked = 0;
        emit_line(c, line, len);
        return;
    }
    size_t bytes = 0;
    long span = directive_span(orig, c->current->len - (size_t)(orig - c->current->text), &bytes);
    if (span == 0) {
        c->checked = 0;
        emit_line(c, line, len);
    } else if (span == 1) {
        emit_line(c, orig, bytes);
    } else {
        grow(&c->normal, &c->normal_cap, len + 1);
        memcpy(c->normal, line, len);
        c->normal_len = len;
        c->restore_text = orig;
        c->restore_len = bytes;
        c->span = span;
        c->blanks = 0;
    }
}

struct line_checker *line_checker_new(void) {
    struct line_checker *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->checked = 1;
    return c;
}

/* Feeds cpp's output; what goes to the agent is then line_checker_output()'s. */
void line_checker_feed(struct line_checker *c, const char *data, size_t len) {
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        if (!nl) {
            grow(&c->carry, &c->carry_cap, c->carry_len + len);
            memcpy(c->carry + c->carry_len, data, len);
            c->carry_len += len;
            return;
        }
        size_t part = (size_t)(nl - data);
        if (c->carry_len) {
            grow(&c->carry, &c->carry_cap, c->carry_len + part);
            memcpy(c->carry + c->carry_len, data, part);
            check_line(c, c->carry, c->carry_len + part);
            c->carry_len = 0;
        } else {
            check_line(c, data, part);
        }
        data = nl + 1;
        len -= part + 1;
    }
}

/* cpp has ended: the last line (without a newline of its own), and the verdict. */
int line_checker_finish(struct line_checker *c) {
    if (c->restore_text) give_up_restore(c);
    if (c->carry_len) {
        check_line(c, c->carry, c->carry_len);
        c->carry_len = 0;
        if (c->restore_text) give_up_restore(c);
        if (c->out_len > 0) c->out_len--; /* cpp wrote no newline after it */
    }
    return c->checked;
}

/* The checked output so far: a buffer with FRAME_HEADER_BYTES of room before `*len` bytes; taking it
 * empties it. */
char *line_checker_output(struct line_checker *c, size_t *len) {
    *len = c->out_len;
    c->out_len = 0;
    if (!c->out) grow(&c->out, &c->out_cap, FRAME_HEADER_BYTES);
    return c->out;
}

void line_checker_free(struct line_checker *c) {
    while (c->files) {
        struct source_file *f = c->files;
        c->files = f->next;
        if (f->text && f->len) munmap((void *)f->text, f->len);
        free(f->path);
        free(f);
    }
    free(c->carry);
    free(c->out);
    free(c->normal);
    free(c);
}
