/* The physical limit of the daemon's stdio hop: a JSON-RPC "server" that answers at once.
 *
 * Reads Content-Length frames on stdin; for each, writes one frame on stdout holding
 * {"jsonrpc":"2.0","id":<the request's id>,"result":<PAYLOAD>}, where PAYLOAD is the content of
 * the file named by argv[1] (the daemon's own answer to the same call, so the client decodes the
 * same bytes). One read buffer, one write per reply, no parsing beyond the header and the id:
 * what is left of a round trip through it is the pipe, the two wake-ups and the client.
 * Built and run by benchmarks/drivers.py (driver `pipe-echo`); needs a C compiler.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *payload;
static size_t payload_len;
static char inbuf[1 << 20];
static size_t have;

static int fill(void) {
    ssize_t n = read(0, inbuf + have, sizeof inbuf - have);
    if (n <= 0) return 0;
    have += (size_t)n;
    return 1;
}

static void write_all(const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(1, p, n);
        if (w <= 0) exit(1);
        p += w;
        n -= (size_t)w;
    }
}

static void answer(const char *body, size_t len) {
    const char *id = NULL, *end = body + len;
    for (const char *p = body; p + 5 <= end; p++) {
        if (memcmp(p, "\"id\":", 5) == 0) { id = p + 5; break; }
    }
    if (id == NULL) return; /* a notification: nothing to answer */
    const char *id_end = id;
    while (id_end < end && *id_end != ',' && *id_end != '}') id_end++;
    static char body_out[1 << 20], out[(1 << 20) + 64];
    size_t n = 0, id_len = (size_t)(id_end - id);
    memcpy(body_out + n, "{\"jsonrpc\":\"2.0\",\"id\":", 22); n += 22;
    memcpy(body_out + n, id, id_len); n += id_len;
    memcpy(body_out + n, ",\"result\":", 10); n += 10;
    memcpy(body_out + n, payload, payload_len); n += payload_len;
    body_out[n++] = '}';
    int head = snprintf(out, 64, "Content-Length: %zu\r\n\r\n", n);
    memcpy(out + head, body_out, n);
    write_all(out, (size_t)head + n); /* one write per reply, as the daemon does */
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: pipe_echo PAYLOAD_FILE\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    payload = malloc(1 << 20);
    payload_len = fread(payload, 1, 1 << 20, f);
    fclose(f);
    for (;;) {
        char *sep = memmem(inbuf, have, "\r\n\r\n", 4);
        if (sep == NULL) { if (!fill()) return 0; continue; }
        size_t header_len = (size_t)(sep - inbuf) + 4;
        size_t body_len = 0;
        char *cl = memmem(inbuf, header_len, "Content-Length:", 15);
        if (cl) body_len = strtoul(cl + 15, NULL, 10);
        while (have < header_len + body_len) { if (!fill()) return 0; }
        answer(inbuf + header_len, body_len);
        memmove(inbuf, inbuf + header_len + body_len, have - header_len - body_len);
        have -= header_len + body_len;
    }
}
