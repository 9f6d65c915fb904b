/* Test-only: cpp's output on stdin through the line checker, fed `argv[1]` bytes at a time; the checked
 * output to stdout, `checked=<verdict>` to stderr. packages/client/src/thin/check-lines.test.ts runs it. */
#define _GNU_SOURCE
#include "../sshcc-shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>


int main(int argc, char **argv) {
    size_t step = argc > 1 ? (size_t)atol(argv[1]) : 65536;
    char *buf = malloc(step);
    struct line_checker *checker = line_checker_new();
    size_t len;
    for (;;) {
        ssize_t n = read(0, buf, step);
        if (n <= 0) break;
        line_checker_feed(checker, buf, (size_t)n);
        char *out = line_checker_output(checker, &len);
        if (fwrite(out + FRAME_HEADER_BYTES, 1, len, stdout) != len) return 1;
    }
    int verdict = line_checker_finish(checker);
    char *out = line_checker_output(checker, &len);
    if (fwrite(out + FRAME_HEADER_BYTES, 1, len, stdout) != len) return 1;
    fprintf(stderr, "checked=%d\n", verdict);
    line_checker_free(checker);
    free(buf);
    return 0;
}
