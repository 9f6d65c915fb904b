#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wc.h"

int main(int argc, char **argv)
{
	int top = argc > 1 ? atoi(argv[1]) : WC_DEFAULT_TOP;
	struct wc_stats st;
	struct strbuf out;
	char buf[65536];
	size_t n;

	wc_init(&st);
	strbuf_init(&out);
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
		wc_feed(&st, buf, n);
	wc_report(&st, top, &out);
	fputs(out.data ? out.data : "", stdout);
	strbuf_free(&out);
	wc_free(&st);
	return 0;
}
