#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
// wrapper per argument kind the transport passes. CURL_GLOBAL_ALL and CURL_READFUNC_ABORT are
// macros Swift does not import.

typedef size_t (*slipway_curl_data_callback)(char *buffer, size_t size, size_t count, void *context);
typedef int (*slipway_curl_progress_callback)(void *context, curl_off_t download_total, curl_off_t downloaded,
                                              curl_off_t upload_total, curl_off_t uploaded);

static inline CURLcode slipway_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_ALL); }
static const size_t SLIPWAY_CURL_READFUNC_ABORT = CURL_READFUNC_ABORT;

static inline CURLcode slipway_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode slipway_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode slipway_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode slipway_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode slipway_curl_set_headers(CURL *handle, struct curl_slist *headers) {
    return curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
}
static inline CURLcode slipway_curl_set_data_callback(CURL *handle, CURLoption option, slipway_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}
static inline CURLcode slipway_curl_set_progress_callback(CURL *handle, slipway_curl_progress_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

typedef int (*slipway_curl_seek_callback)(void *context, curl_off_t offset, int origin);
static inline CURLcode slipway_curl_set_seek_callback(CURL *handle, slipway_curl_seek_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, callback);
}
static inline CURLcode slipway_curl_set_error_buffer(CURL *handle, char *buffer) {
    return curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, buffer);
}
