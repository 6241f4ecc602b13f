/*
 * Reference driver for the "json" benchmark: tokenizes one document many times with the C jsmn
 * tokenizer (jsmn.h from Debian's libjsmn-dev, built with JSMN_PARENT_LINKS, and JSMN_STRICT for the
 * strict build: build.sh) and prints its speed.
 *
 *   usage: jsmn_bench <document-file> <iterations> [repeats]
 *     output: "tokens=<n> mbps=<best MB/s over the repeats>" (MB = 10^6 bytes)
 *   usage: jsmn_bench <document-file> <iterations> serve
 *     prints "tokens=<n>" after a warm-up, then for every line read from stdin runs one timed
 *     repeat of <iterations> parses and prints "mbps=<MB/s>"; ends at end of input. The benchmark
 *     uses this to interleave C and C# runs in one process pair (noise hits both sides alike).
 *
 * The token array is allocated once, sized by a counting pass, like the C# side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "jsmn.h"

/* CPU time of this thread: time spent descheduled on the shared machine is not counted (the C#
 * side measures the same way). */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One timed repeat: returns MB/s, or a negative value if a parse fails. */
static double timed_run(jsmn_parser *parser, const char *doc, long length, jsmntok_t *tokens,
                        int count, long iterations, long *check)
{
    double start = now_seconds();
    for (long i = 0; i < iterations; i++) {
        jsmn_init(parser);
        int n = jsmn_parse(parser, doc, (size_t)length, tokens, (unsigned int)count);
        if (n != count) { fprintf(stderr, "jsmn parse failed: %d\n", n); return -1; }
        *check += n + tokens[n - 1].end;
    }
    double seconds = now_seconds() - start;
    return (double)length * (double)iterations / seconds / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s <document-file> <iterations> [repeats|serve]\n", argv[0]);
        return 2;
    }
    long iterations = atol(argv[2]);
    int serve = argc > 3 && strcmp(argv[3], "serve") == 0;
    int repeats = argc > 3 && !serve ? atoi(argv[3]) : 3;

    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) { perror("open"); return 2; }
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *doc = malloc((size_t)length + 1);
    if (doc == NULL || fread(doc, 1, (size_t)length, f) != (size_t)length) { fprintf(stderr, "read failed\n"); return 2; }
    fclose(f);

    jsmn_parser parser;
    jsmn_init(&parser);
    int count = jsmn_parse(&parser, doc, (size_t)length, NULL, 0);
    if (count < 0) { fprintf(stderr, "jsmn count pass failed: %d\n", count); return 1; }
    jsmntok_t *tokens = malloc(sizeof(jsmntok_t) * (size_t)count);

    long check = 0;
    for (long i = 0; i < iterations / 10 + 1; i++) { /* warm-up */
        jsmn_init(&parser);
        check += jsmn_parse(&parser, doc, (size_t)length, tokens, (unsigned int)count);
    }

    if (serve) {
        char line[64];
        printf("tokens=%d\n", count);
        fflush(stdout);
        while (fgets(line, sizeof line, stdin) != NULL) {
            double mbps = timed_run(&parser, doc, length, tokens, count, iterations, &check);
            if (mbps < 0) return 1;
            printf("mbps=%.3f check=%ld\n", mbps, check);
            fflush(stdout);
        }
    } else {
        double best = 0;
        for (int r = 0; r < repeats; r++) {
            double mbps = timed_run(&parser, doc, length, tokens, count, iterations, &check);
            if (mbps < 0) return 1;
            if (mbps > best) best = mbps;
        }
        printf("tokens=%d mbps=%.3f check=%ld\n", count, best, check);
    }

    free(tokens);
    free(doc);
    return 0;
}
