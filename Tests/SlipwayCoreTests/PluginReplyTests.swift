import Foundation
import Testing
@testable import SlipwayCore

/// How the runner copes with what a C plugin may reply: replies from another thread, replies
/// that break the protocol, a second reply. The plugin's method name selects the behaviour.
@Suite("Plugin replies")
struct PluginReplyTests {
    static let source = #"""
    #include <pthread.h>
    #include <stdlib.h>
    #include <string.h>
    #include "slipway_plugin.h"

    typedef struct { const slipway_host *host; slipway_reply_fn reply; void *context; } pending;

    static void *later(void *argument) {
        pending *work = argument;
        work->host->emit(work->host->context, "{\"level\":\"warning\",\"message\":\"from a thread\",\"fields\":{\"n\":\"1\"}}");
        work->host->emit(work->host->context, "not json");
        work->reply(work->context, SLIPWAY_OK, "{\"thread\":true}");
        free(work);
        return NULL;
    }

    static void call(const char *method, const char *params, const slipway_host *host,
                     slipway_reply_fn reply, void *context) {
        (void)params;
        if (strcmp(method, "discover") == 0) {            /* reply from a thread of the plugin */
            pending *work = malloc(sizeof *work);
            work->host = host; work->reply = reply; work->context = context;
            pthread_t thread;
            pthread_create(&thread, NULL, later, work);
            pthread_detach(thread);
        } else if (strcmp(method, "deployHost") == 0) {   /* two replies: the first one counts */
            reply(context, SLIPWAY_OK, "{\"first\":true}");
            reply(context, SLIPWAY_OK, "{\"second\":true}");
        } else if (strcmp(method, "blockTraffic") == 0) {
            reply(context, SLIPWAY_OK, "{\"unterminated\": ");
        } else if (strcmp(method, "allowTraffic") == 0) {
            reply(context, SLIPWAY_OK, "[1, 2]");
        } else if (strcmp(method, "prepare") == 0) {
            reply(context, SLIPWAY_ERROR, "{\"code\":\"notFound\"}");
        } else if (strcmp(method, "setWeight") == 0) {
            reply(context, SLIPWAY_OK, NULL);
        } else {
            reply(context, 7, "{}");
        }
    }

    static const slipway_plugin plugin = { SLIPWAY_PLUGIN_ABI_VERSION,
        "{\"name\":\"replies\",\"version\":\"1.0.0\",\"targetTypes\":[{\"type\":\"replies\",\"primitives\":\"fleet\"}]}",
        call };
    const slipway_plugin *slipway_plugin_v1(void) { return &plugin; }
    """#

    static let built: Result<String, PluginFixtureError> = Result { () throws(PluginFixtureError) -> String in
        let folder = try PluginFixtures.temporaryFolder("replies")
        let sourcePath = folder + "/replies.c"
        do { try source.write(toFile: sourcePath, atomically: true, encoding: .utf8) } catch {
            throw PluginFixtureError(message: "\(error)")
        }
        let output = folder + "/libreplies.so"
        try PluginFixtures.run(["cc", "-shared", "-fPIC", "-pthread", "-I", PluginFixtures.headerFolder, "-o", output, sourcePath])
        return output
    }

    let plugin: LoadedPlugin

    init() throws {
        plugin = try PluginLoader().load(path: try Self.built.get())
    }

    /// Params without targetType: the runner's method check is skipped, every method reaches C.
    let params: ConfigValue = .object(["deploymentId": .string("d-1"), "config": .object([:])])

    @Test func aReplyAndEventsFromAnotherThreadArrive() async throws {
        let log = PluginEventLog()
        let result = try await plugin.call("discover", params, events: log)
        #expect(result == .object(["thread": .bool(true)]))
        #expect(log.events.first == PluginEvent(level: .warning, message: "from a thread", fields: ["n": "1"]))
        #expect(log.events.last == PluginEvent(level: .warning, message: "plugin emitted a malformed event: not json"))
    }

    @Test func aSecondReplyIsIgnoredWithAWarning() async throws {
        let log = PluginEventLog()
        let result = try await plugin.call("deployHost", params, events: log)
        #expect(result == .object(["first": .bool(true)]))
        #expect(log.events.map(\.message) == ["plugin replied twice to one call; the second reply was ignored"])
    }

    @Test(arguments: [
        ("blockTraffic", "the plugin replied with invalid JSON: {\"unterminated\": "),
        ("allowTraffic", "the plugin replied with array instead of a JSON object"),
        ("prepare", #"the plugin reported an error without a {"code", "message"} object: {"code":"notFound"}"#),
        ("promote", "the plugin replied with unknown status 7"),
    ])
    func protocolViolationsBecomeFailedErrors(method: String, message: String) async {
        do {
            _ = try await plugin.call(method, params)
            Issue.record("\(method) succeeded")
        } catch {
            #expect(error.code == PluginCallError.failed)
            #expect(error.message == message)
            #expect(error.plugin == "replies")
            #expect(error.method == method)
        }
    }

    @Test func aNullSuccessReplyIsAnEmptyObject() async throws {
        #expect(try await plugin.call("setWeight", params) == .object([:]))
    }
}
