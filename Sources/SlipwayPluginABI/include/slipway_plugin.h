/*
 * slipway_plugin.h — the only contract between the Slipway runner and a deploy plugin.
 *
 * A plugin is a shared library exporting one C symbol, `slipway_plugin_v1`, that returns a
 * pointer to a static `slipway_plugin`. Everything else crosses the boundary as UTF-8 JSON
 * strings, so a plugin can be written in any language that can export a C function, and no
 * language runtime's types ever cross it. Full description: docs/plugin-abi.md.
 */
#ifndef SLIPWAY_PLUGIN_H
#define SLIPWAY_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. The runner refuses a plugin reporting another. */
#define SLIPWAY_PLUGIN_ABI_VERSION 1u

/* The name of the entry symbol the runner looks up with dlsym. */
#define SLIPWAY_PLUGIN_ENTRY "slipway_plugin_v1"

/* Reply status codes. */
#define SLIPWAY_OK 0
#define SLIPWAY_ERROR 1

/*
 * Services the runner offers a plugin during one call. Valid until the call has replied;
 * the functions may be called from any thread.
 */
typedef struct slipway_host {
    /* Opaque; pass it back to the functions below. */
    void *context;
    /* Report progress: `event_json` is an object {"level": "info"|"warning"|"error",
       "message": "...", "host": "optional host id", "fields": {"k": "v"}}. The runner copies
       the string before returning. */
    void (*emit)(void *context, const char *event_json);
    /* Non-zero once the run was cancelled (Ctrl-C, a failed gate elsewhere): a long call
       should stop soon and reply with an error whose code is "cancelled". */
    int (*is_cancelled)(void *context);
} slipway_host;

/*
 * How a call answers, exactly once, from any thread, possibly before `call` returns.
 * status: SLIPWAY_OK with the method's result object, or SLIPWAY_ERROR with
 * {"code": "...", "message": "..."}. The runner copies `result_json` before returning.
 */
typedef void (*slipway_reply_fn)(void *reply_context, int32_t status, const char *result_json);

typedef struct slipway_plugin {
    /* Must be SLIPWAY_PLUGIN_ABI_VERSION. */
    uint32_t abi_version;
    /* A static, NUL-terminated JSON manifest: {"name", "version" (semver), "targetTypes":
       [{"type", "primitives": "fleet"|"traffic", "methods": [...], "configSchema": {JSON Schema}}]}. */
    const char *manifest_json;
    /* Starts one method call (see docs/plugin-abi.md for the methods and their JSON).
       Must not block for long: do the work on another thread and reply from there, or reply
       before returning when the work is quick. Concurrent calls are allowed. `method`,
       `params_json`, `host` and `reply_context` stay valid until the reply, not after. */
    void (*call)(const char *method, const char *params_json, const slipway_host *host,
                 slipway_reply_fn reply, void *reply_context);
} slipway_plugin;

/* The one exported entry point. */
typedef const slipway_plugin *(*slipway_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* SLIPWAY_PLUGIN_H */
