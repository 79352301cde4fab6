/*
 * dirhost — a Slipway deploy plugin in plain C (an example of a third-party plugin).
 *
 * Target type "dirhost", fleet primitives: every host is a directory <root>/<host>.
 * deployHost copies the revision archive into <root>/<host>/releases/<sha>/, unpacks it with
 * the system `tar -xf`, and atomically points the <root>/<host>/current symlink at it.
 *
 * The work is quick, so `call` does it on the calling thread and replies before returning
 * (allowed by the ABI). A plugin with slow work would start a thread and reply from there.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slipway_plugin.h"

extern char **environ;

/* ---------------------------------------------------------------------------------------
 * Growable string buffer and JSON output
 * ------------------------------------------------------------------------------------- */

typedef struct {
    char *data;
    size_t length;
    size_t capacity;
    int failed; /* out of memory: every later append is a no-op */
} buffer;

static void buf_append_n(buffer *b, const char *text, size_t n) {
    if (b->failed) return;
    if (b->length + n + 1 > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 256;
        while (b->length + n + 1 > capacity) capacity *= 2;
        char *grown = realloc(b->data, capacity);
        if (!grown) { b->failed = 1; return; }
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, text, n);
    b->length += n;
    b->data[b->length] = '\0';
}

static void buf_append(buffer *b, const char *text) { buf_append_n(b, text, strlen(text)); }

/* Appends `text` as a JSON string literal. Bytes >= 0x80 pass through: the input is UTF-8. */
static void buf_append_json_string(buffer *b, const char *text) {
    buf_append(b, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char escape[8];
        switch (*p) {
        case '"': buf_append(b, "\\\""); break;
        case '\\': buf_append(b, "\\\\"); break;
        case '\n': buf_append(b, "\\n"); break;
        case '\r': buf_append(b, "\\r"); break;
        case '\t': buf_append(b, "\\t"); break;
        default:
            if (*p < 0x20) {
                snprintf(escape, sizeof escape, "\\u%04x", *p);
                buf_append(b, escape);
            } else {
                buf_append_n(b, (const char *)p, 1);
            }
        }
    }
    buf_append(b, "\"");
}

/* ---------------------------------------------------------------------------------------
 * A tiny JSON reader: just enough to pull a few fields out of the params.
 *
 * It walks the text without building a tree. `json_skip` steps over any value (strings with
 * escapes, nested objects and arrays, numbers, literals), `json_member` finds a key in an
 * object, `json_string` decodes a string (all escapes, \u surrogate pairs to UTF-8).
 * Limits: nesting deeper than 64 levels is rejected; numbers are skipped, never converted;
 * duplicate keys resolve to the first occurrence; text is assumed to be UTF-8 (the runner
 * always sends valid JSON, so the reader is defensive rather than a validating parser).
 * ------------------------------------------------------------------------------------- */

static const char *json_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static const char *json_skip_depth(const char *p, int depth);

static const char *json_skip_string(const char *p) {
    if (*p != '"') return NULL;
    for (p++; *p; p++) {
        if (*p == '\\') {
            if (!p[1]) return NULL;
            p++;
        } else if (*p == '"') {
            return p + 1;
        }
    }
    return NULL;
}

static const char *json_skip_container(const char *p, char close, int depth) {
    p = json_ws(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
        if (close == '}') {
            p = json_skip_string(p);
            if (!p) return NULL;
            p = json_ws(p);
            if (*p != ':') return NULL;
            p = json_ws(p + 1);
        }
        p = json_skip_depth(p, depth + 1);
        if (!p) return NULL;
        p = json_ws(p);
        if (*p == close) return p + 1;
        if (*p != ',') return NULL;
        p = json_ws(p + 1);
    }
}

static const char *json_skip_depth(const char *p, int depth) {
    if (depth > 64) return NULL;
    p = json_ws(p);
    switch (*p) {
    case '"': return json_skip_string(p);
    case '{': return json_skip_container(p, '}', depth);
    case '[': return json_skip_container(p, ']', depth);
    case '\0': return NULL;
    default: {
        /* number or literal: letters, digits, sign, dot, exponent */
        const char *start = p;
        while (*p && strchr("+-.0123456789eEtruefalsn", *p)) p++;
        return p == start ? NULL : p;
    }
    }
}

static const char *json_skip(const char *p) { return json_skip_depth(p, 0); }

static int hex4(const char *p, unsigned *out) {
    unsigned value = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        value <<= 4;
        if (c >= '0' && c <= '9') value |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') value |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') value |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = value;
    return 1;
}

static void utf8_append(buffer *b, unsigned cp) {
    char out[4];
    size_t n;
    if (cp < 0x80) { out[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    buf_append_n(b, out, n);
}

/* Decodes the string literal at `p` into a new malloc'd C string; NULL if `p` is not a valid
   string or it contains a NUL (which no path or id may hold). */
static char *json_string(const char *p) {
    if (!p || *p != '"') return NULL;
    buffer b = {0};
    buf_append(&b, "");
    for (p++; *p != '"'; p++) {
        if (!*p) goto bad;
        if (*p != '\\') { buf_append_n(&b, p, 1); continue; }
        p++;
        switch (*p) {
        case '"': buf_append(&b, "\""); break;
        case '\\': buf_append(&b, "\\"); break;
        case '/': buf_append(&b, "/"); break;
        case 'b': buf_append(&b, "\b"); break;
        case 'f': buf_append(&b, "\f"); break;
        case 'n': buf_append(&b, "\n"); break;
        case 'r': buf_append(&b, "\r"); break;
        case 't': buf_append(&b, "\t"); break;
        case 'u': {
            unsigned cp, low;
            if (!hex4(p + 1, &cp)) goto bad;
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (p[1] != '\\' || p[2] != 'u' || !hex4(p + 3, &low) || low < 0xDC00 || low > 0xDFFF) goto bad;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                p += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                goto bad;
            }
            if (cp == 0) goto bad;
            utf8_append(&b, cp);
            break;
        }
        default: goto bad;
        }
    }
    if (b.failed) goto bad;
    return b.data;
bad:
    free(b.data);
    return NULL;
}

/* The value of `key` in the object at `object`, or NULL. */
static const char *json_member(const char *object, const char *key) {
    if (!object) return NULL;
    const char *p = json_ws(object);
    if (*p != '{') return NULL;
    p = json_ws(p + 1);
    if (*p == '}') return NULL;
    for (;;) {
        char *name = json_string(p);
        p = json_skip_string(p);
        if (!p) { free(name); return NULL; }
        p = json_ws(p);
        if (*p != ':') { free(name); return NULL; }
        p = json_ws(p + 1);
        int match = name && strcmp(name, key) == 0;
        free(name);
        if (match) return p;
        p = json_skip(p);
        if (!p) return NULL;
        p = json_ws(p);
        if (*p != ',') return NULL;
        p = json_ws(p + 1);
    }
}

/* Array iteration: `json_array_first` returns the first element (NULL if empty or not an
   array), `json_array_next` the one after `element` (NULL at the end). */
static const char *json_array_first(const char *array) {
    if (!array) return NULL;
    const char *p = json_ws(array);
    if (*p != '[') return NULL;
    p = json_ws(p + 1);
    return *p == ']' ? NULL : p;
}

static const char *json_array_next(const char *element) {
    const char *p = json_skip(element);
    if (!p) return NULL;
    p = json_ws(p);
    return *p == ',' ? json_ws(p + 1) : NULL;
}

static int json_is_true(const char *value) { return value && strncmp(json_ws(value), "true", 4) == 0; }

/* ---------------------------------------------------------------------------------------
 * One call: the host callbacks, the reply and small helpers
 * ------------------------------------------------------------------------------------- */

typedef struct {
    const slipway_host *host;
    slipway_reply_fn reply;
    void *reply_context;
    const char *root;     /* config.root */
    const char *host_id;  /* the host being deployed, for events */
} call_context;

static void emit(call_context *call, const char *level, const char *format, ...) {
    if (!call->host || !call->host->emit) return;
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    buffer b = {0};
    buf_append(&b, "{\"level\":");
    buf_append_json_string(&b, level);
    buf_append(&b, ",\"message\":");
    buf_append_json_string(&b, message);
    if (call->host_id) {
        buf_append(&b, ",\"host\":");
        buf_append_json_string(&b, call->host_id);
    }
    buf_append(&b, "}");
    if (!b.failed) call->host->emit(call->host->context, b.data);
    free(b.data);
}

static int cancelled(call_context *call) {
    return call->host && call->host->is_cancelled && call->host->is_cancelled(call->host->context);
}

static void reply_ok(call_context *call, const char *json) { call->reply(call->reply_context, SLIPWAY_OK, json); }

static void reply_error(call_context *call, const char *code, const char *format, ...) {
    char message[2048];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    buffer b = {0};
    buf_append(&b, "{\"code\":");
    buf_append_json_string(&b, code);
    buf_append(&b, ",\"message\":");
    buf_append_json_string(&b, message);
    buf_append(&b, "}");
    call->reply(call->reply_context, SLIPWAY_ERROR,
                b.failed ? "{\"code\":\"failed\",\"message\":\"out of memory\"}" : b.data);
    free(b.data);
}

/* A host id becomes a path component: refuse anything that could leave <root>. */
static int valid_name(const char *name) {
    if (!name || !*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return 0;
    for (const char *p = name; *p; p++)
        if (*p == '/') return 0;
    return 1;
}

static int valid_sha(const char *sha) {
    if (!sha || strlen(sha) < 8 || strlen(sha) > 128) return 0;
    for (const char *p = sha; *p; p++)
        if (!strchr("0123456789abcdef", *p)) return 0;
    return 1;
}

static int mkdir_if_missing(const char *path) {
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return 0;
    return -1;
}

static int is_directory(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* Formats a path; 0 when it fits, -1 (ENAMETOOLONG) when it would be truncated. */
static int path_format(char *out, size_t size, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(out, size, format, args);
    va_end(args);
    if (n < 0 || (size_t)n >= size) { errno = ENAMETOOLONG; return -1; }
    return 0;
}

/* Runs argv[0] (looked up on PATH) and waits. Returns the exit status, or -1 when it could not
   run or was killed; the first bytes of its stderr are left in `errors`. */
static int run(char *const argv[], char *errors, size_t errors_size) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int spawned = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    size_t used = 0;
    errors[0] = '\0';
    if (spawned == 0) {
        char chunk[512];
        ssize_t n;
        while ((n = read(pipe_fds[0], chunk, sizeof chunk)) != 0) {
            if (n < 0) { if (errno == EINTR) continue; break; }
            size_t room = errors_size - 1 - used;
            size_t take = (size_t)n < room ? (size_t)n : room;
            memcpy(errors + used, chunk, take);
            used += take;
            errors[used] = '\0';
        }
    }
    close(pipe_fds[0]);
    if (spawned != 0) {
        snprintf(errors, errors_size, "%s", strerror(spawned));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    /* trailing newline out of messages */
    while (used > 0 && (errors[used - 1] == '\n' || errors[used - 1] == '\r')) errors[--used] = '\0';
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int copy_file(const char *from, const char *to) {
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) { close(in); return -1; }
    char chunk[65536];
    int result = 0;
    for (;;) {
        ssize_t n = read(in, chunk, sizeof chunk);
        if (n == 0) break;
        if (n < 0) { if (errno == EINTR) continue; result = -1; break; }
        for (ssize_t written = 0; written < n;) {
            ssize_t w = write(out, chunk + written, (size_t)(n - written));
            if (w < 0) { if (errno == EINTR) continue; result = -1; break; }
            written += w;
        }
        if (result) break;
    }
    close(in);
    if (close(out) != 0) result = -1;
    return result;
}

/* The sha <root>/<host>/current points at, or NULL (not deployed yet). Caller frees. */
static char *current_revision(const char *root, const char *host) {
    char path[PATH_MAX], target[PATH_MAX];
    if (path_format(path, sizeof path, "%s/%s/current", root, host)) return NULL;
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0) return NULL;
    target[n] = '\0';
    const char *slash = strrchr(target, '/');
    return strdup(slash ? slash + 1 : target);
}

/* ---------------------------------------------------------------------------------------
 * Methods
 * ------------------------------------------------------------------------------------- */

/* Appends one host object: {"id","name","revision","healthy"}. */
static void append_host(buffer *b, const char *root, const char *host, int first) {
    char path[PATH_MAX];
    struct stat info;
    /* A host whose folder does not exist yet is healthy: its first deploy creates it. */
    int healthy = path_format(path, sizeof path, "%s/%s", root, host) == 0
                  && (stat(path, &info) != 0 || S_ISDIR(info.st_mode));
    char *revision = current_revision(root, host);
    if (!first) buf_append(b, ",");
    buf_append(b, "{\"id\":");
    buf_append_json_string(b, host);
    buf_append(b, ",\"name\":");
    buf_append_json_string(b, host);
    buf_append(b, ",\"revision\":");
    if (revision) buf_append_json_string(b, revision); else buf_append(b, "null");
    buf_append(b, healthy ? ",\"healthy\":true}" : ",\"healthy\":false}");
    free(revision);
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void discover(call_context *call, const char *config, int plan) {
    buffer b = {0};
    buf_append(&b, "{\"hosts\":[");
    const char *hosts = json_member(config, "hosts");
    int count = 0;
    if (hosts) {
        for (const char *item = json_array_first(hosts); item; item = json_array_next(item)) {
            char *host = json_string(item);
            if (!valid_name(host)) {
                free(host);
                free(b.data);
                reply_error(call, "invalidConfig", "hosts[%d] must be a folder name (no '/', not '.' or '..')", count);
                return;
            }
            append_host(&b, call->root, host, count++ == 0);
            free(host);
        }
    } else {
        /* No list: every folder under root is a host, in name order. */
        DIR *dir = opendir(call->root);
        if (!dir) {
            free(b.data);
            reply_error(call, "notFound", "root %s cannot be listed: %s", call->root, strerror(errno));
            return;
        }
        char **names = NULL;
        size_t used = 0, capacity = 0;
        struct dirent *entry;
        while ((entry = readdir(dir))) {
            if (entry->d_name[0] == '.') continue;
            char path[PATH_MAX];
            if (path_format(path, sizeof path, "%s/%s", call->root, entry->d_name) || !is_directory(path)) continue;
            if (used == capacity) {
                capacity = capacity ? capacity * 2 : 16;
                char **grown = realloc(names, capacity * sizeof *names);
                if (!grown) break;
                names = grown;
            }
            names[used++] = strdup(entry->d_name);
        }
        closedir(dir);
        qsort(names, used, sizeof *names, compare_names);
        for (size_t i = 0; i < used; i++) {
            if (names[i]) append_host(&b, call->root, names[i], count++ == 0);
            free(names[i]);
        }
        free(names);
    }
    buf_append(&b, "]");
    if (plan) {
        buf_append(&b, ",\"plan\":[");
        buf_append_json_string(&b, "read the hosts' current symlinks (read-only)");
        buf_append(&b, "]");
    }
    buf_append(&b, "}");
    if (b.failed) reply_error(call, "failed", "out of memory");
    else reply_ok(call, b.data);
    free(b.data);
}

static void deploy_host(call_context *call, const char *params, const char *config, int plan) {
    char *host = json_string(json_member(json_member(params, "host"), "id"));
    const char *revision = json_member(params, "revision");
    char *sha = json_string(json_member(revision, "sha256"));
    char *archive = json_string(json_member(revision, "archive"));
    char host_dir[PATH_MAX], releases[PATH_MAX], release[PATH_MAX], partial[PATH_MAX];
    char copy[PATH_MAX], link_tmp[PATH_MAX], link_path[PATH_MAX], target[PATH_MAX];
    char errors[1024];
    call->host_id = host;

    if (!valid_name(host)) { reply_error(call, "failed", "params.host.id is missing or not a folder name"); goto done; }
    if (!valid_sha(sha)) { reply_error(call, "failed", "params.revision.sha256 is missing or not lowercase hex"); goto done; }
    if (!archive) { reply_error(call, "failed", "params.revision.archive is missing"); goto done; }
    const char *hosts = json_member(config, "hosts");
    if (hosts) {
        int listed = 0;
        for (const char *item = json_array_first(hosts); item && !listed; item = json_array_next(item)) {
            char *name = json_string(item);
            listed = name && strcmp(name, host) == 0;
            free(name);
        }
        if (!listed) { reply_error(call, "notFound", "host %s is not in the stage's hosts", host); goto done; }
    }

    if (path_format(host_dir, sizeof host_dir, "%s/%s", call->root, host)
        || path_format(releases, sizeof releases, "%s/releases", host_dir)
        || path_format(release, sizeof release, "%s/%s", releases, sha)
        || path_format(partial, sizeof partial, "%s/.%s.partial", releases, sha)
        || path_format(copy, sizeof copy, "%s/.slipway-archive", partial)
        || path_format(link_path, sizeof link_path, "%s/current", host_dir)
        || path_format(link_tmp, sizeof link_tmp, "%s/.current.tmp", host_dir)
        || path_format(target, sizeof target, "releases/%s", sha)) {
        reply_error(call, "invalidConfig", "paths under %s are too long", call->root);
        goto done;
    }

    if (plan) {
        buffer b = {0};
        char line[PATH_MAX * 2 + 64];
        buf_append(&b, "{\"plan\":[");
        snprintf(line, sizeof line, "copy %s into %s", archive, release);
        buf_append_json_string(&b, line);
        buf_append(&b, ",");
        snprintf(line, sizeof line, "unpack it there with tar -xf");
        buf_append_json_string(&b, line);
        buf_append(&b, ",");
        snprintf(line, sizeof line, "point %s at %s", link_path, target);
        buf_append_json_string(&b, line);
        buf_append(&b, "]}");
        if (b.failed) reply_error(call, "failed", "out of memory"); else reply_ok(call, b.data);
        free(b.data);
        goto done;
    }

    if (mkdir_if_missing(call->root) || mkdir_if_missing(host_dir) || mkdir_if_missing(releases)) {
        reply_error(call, "failed", "cannot create %s: %s", releases, strerror(errno));
        goto done;
    }
    /* Idempotent: a release folder only exists once fully unpacked (renamed from .partial). */
    if (is_directory(release)) {
        emit(call, "info", "release %.12s already unpacked", sha);
    } else {
        if (is_directory(partial)) {
            /* Left by a crashed attempt: start over. */
            char *rm[] = {"rm", "-rf", partial, NULL};
            if (run(rm, errors, sizeof errors) != 0) {
                reply_error(call, "failed", "cannot remove the leftover %s: %s", partial, errors);
                goto done;
            }
        }
        if (mkdir(partial, 0755) != 0) {
            reply_error(call, "failed", "cannot create %s: %s", partial, strerror(errno));
            goto done;
        }
        emit(call, "info", "copying revision %.12s", sha);
        if (copy_file(archive, copy) != 0) {
            reply_error(call, "failed", "cannot copy %s to %s: %s", archive, copy, strerror(errno));
            goto done;
        }
        if (cancelled(call)) { reply_error(call, "cancelled", "cancelled before unpacking"); goto done; }
        emit(call, "info", "unpacking into releases/%.12s", sha);
        char *tar[] = {"tar", "-xf", copy, "-C", partial, NULL};
        int status = run(tar, errors, sizeof errors);
        if (status != 0) {
            reply_error(call, "failed", "tar -xf %s exited with status %d: %s", archive, status, errors);
            goto done;
        }
        unlink(copy);
        if (rename(partial, release) != 0 && !is_directory(release)) {
            reply_error(call, "failed", "cannot rename %s to %s: %s", partial, release, strerror(errno));
            goto done;
        }
    }
    if (cancelled(call)) { reply_error(call, "cancelled", "cancelled before switching current"); goto done; }
    /* Switch atomically: a new symlink renamed over the old one. */
    unlink(link_tmp);
    if (symlink(target, link_tmp) != 0 || rename(link_tmp, link_path) != 0) {
        reply_error(call, "failed", "cannot point %s at %s: %s", link_path, target, strerror(errno));
        goto done;
    }
    emit(call, "info", "current -> %s", target);
    reply_ok(call, "{\"status\":\"succeeded\"}");
done:
    free(host);
    free(sha);
    free(archive);
}

static void dirhost_call(const char *method, const char *params, const slipway_host *host,
                         slipway_reply_fn reply, void *reply_context) {
    if (!reply) return;
    call_context call = {host, reply, reply_context, NULL, NULL};
    if (!method || !params) { reply_error(&call, "failed", "method or params is NULL"); return; }
    const char *config = json_member(params, "config");
    char *root = json_string(json_member(config, "root"));
    if (!root || !*root) {
        reply_error(&call, "invalidConfig", "with.root must be a non-empty string");
        free(root);
        return;
    }
    call.root = root;
    int plan = json_is_true(json_member(params, "plan"));
    if (strcmp(method, "discover") == 0) discover(&call, config, plan);
    else if (strcmp(method, "deployHost") == 0) deploy_host(&call, params, config, plan);
    else reply_error(&call, "unsupportedMethod", "dirhost does not implement %s", method);
    free(root);
}

/* ---------------------------------------------------------------------------------------
 * The export
 * ------------------------------------------------------------------------------------- */

static const slipway_plugin dirhost_plugin = {
    SLIPWAY_PLUGIN_ABI_VERSION,
    "{\"name\":\"dirhost\",\"version\":\"1.0.0\",\"targetTypes\":[{"
    "\"type\":\"dirhost\",\"primitives\":\"fleet\",\"methods\":[\"discover\",\"deployHost\"],"
    "\"configSchema\":{\"type\":\"object\",\"required\":[\"root\"],\"additionalProperties\":false,"
    "\"properties\":{"
    "\"root\":{\"type\":\"string\",\"minLength\":1,\"description\":\"folder holding one folder per host\"},"
    "\"hosts\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_][A-Za-z0-9._-]*$\"},"
    "\"description\":\"host folder names; default: every folder under root\"}}}}]}",
    dirhost_call,
};

__attribute__((visibility("default"))) const slipway_plugin *slipway_plugin_v1(void) { return &dirhost_plugin; }
