/* A JSON-RPC client in C, to see how much of a call through the daemon is the daemon's.
 *
 * fast_client CALLS WARMUP PARAMS_FILE -- COMMAND ARGS...: spawns COMMAND with pipes on its
 * stdin and stdout, sends `initialize`, then WARMUP + CALLS `runtime/run` requests one at a time
 * (params: the content of PARAMS_FILE), each in one write with Content-Length framing, reads
 * each reply whole (checking its id), and prints the p50 and p99 of the CALLS round trips in
 * microseconds: `p50_us <n> p99_us <n> calls <n>`. No parsing beyond the header and the id, so
 * what it measures is the pipe, the wake-ups and the server.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static char buf[1 << 22];
static size_t have;

static void die(const char *what) { perror(what); exit(2); }

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) die("write");
        p += w;
        n -= (size_t)w;
    }
}

/* Read one Content-Length frame from fd; return its body length (the body starts at buf). */
static size_t read_frame(int fd) {
    for (;;) {
        char *sep = memmem(buf, have, "\r\n\r\n", 4);
        if (sep != NULL) {
            size_t head = (size_t)(sep - buf) + 4;
            char *cl = memmem(buf, head, "Content-Length:", 15);
            if (cl == NULL) { fprintf(stderr, "no Content-Length\n"); exit(2); }
            size_t len = strtoul(cl + 15, NULL, 10);
            while (have < head + len) {
                ssize_t r = read(fd, buf + have, sizeof buf - have);
                if (r <= 0) die("read body");
                have += (size_t)r;
            }
            memmove(buf, buf + head, have - head); /* body first, then what follows */
            have -= head;
            return len;
        }
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r <= 0) die("read header");
        have += (size_t)r;
    }
}

static void consume(size_t len) {
    memmove(buf, buf + len, have - len);
    have -= len;
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void request(int fd, long id, const char *method, const char *params) {
    static char body[1 << 20], out[(1 << 20) + 64];
    int n = snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"%s\",\"params\":%s}",
                     id, method, params);
    int h = snprintf(out, 64, "Content-Length: %d\r\n\r\n", n);
    memcpy(out + h, body, (size_t)n);
    write_all(fd, out, (size_t)(h + n));
}

int main(int argc, char **argv) {
    if (argc < 6 || strcmp(argv[4], "--") != 0) {
        fprintf(stderr, "usage: fast_client CALLS WARMUP PARAMS_FILE -- COMMAND ARGS...\n");
        return 2;
    }
    long calls = atol(argv[1]), warmup = atol(argv[2]);
    FILE *f = fopen(argv[3], "rb");
    if (!f) die(argv[3]);
    static char params[1 << 20];
    size_t plen = fread(params, 1, sizeof params - 1, f);
    params[plen] = 0;
    fclose(f);

    int to_child[2], from_child[2];
    if (pipe(to_child) || pipe(from_child)) die("pipe");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        dup2(to_child[0], 0);
        dup2(from_child[1], 1);
        close(to_child[1]);
        close(from_child[0]);
        execvp(argv[5], argv + 5);
        die("exec");
    }
    close(to_child[0]);
    close(from_child[1]);
    int out = to_child[1], in = from_child[0];

    request(out, 0, "initialize", "{}");
    consume(read_frame(in));
    long long *lat = malloc(sizeof(long long) * (size_t)calls);
    char want[32];
    for (long i = 1; i <= warmup + calls; i++) {
        long long t0 = now_ns();
        request(out, i, "runtime/run", params);
        size_t len = read_frame(in);
        long long t1 = now_ns();
        snprintf(want, sizeof want, "\"id\":%ld,", i);
        if (memmem(buf, len, want, strlen(want)) == NULL || memmem(buf, len, "\"result\"", 8) == NULL) {
            fprintf(stderr, "unexpected reply: %.*s\n", (int)(len < 400 ? len : 400), buf);
            return 1;
        }
        consume(len);
        if (i > warmup) lat[i - warmup - 1] = t1 - t0;
    }
    close(out); /* end of input: the daemon answers what is in flight, then exits */
    waitpid(pid, NULL, 0);
    qsort(lat, (size_t)calls, sizeof lat[0], cmp);
    printf("p50_us %lld p99_us %lld calls %ld\n", lat[calls / 2] / 1000,
           lat[(calls * 99 + 99) / 100 - 1] / 1000, calls);
    return 0;
}
