import Foundation
import SlipwayEvents

/// 2026-01-01T00:00:00Z: renderers are compared byte for byte, so time is fixed.
let t0 = Date(timeIntervalSince1970: 1_767_225_600)

/// A small run touching every formatting path the renderers share.
let sampleRun: [Event] = [
    .runStarted("pipeline web", time: t0),
    .stepStarted(scope: "build/compile", message: "make all", time: t0),
    .stepOutput(scope: "build/compile", stream: "stdout", line: "cc -c main.c", time: t0),
    .stepOutput(scope: "build/compile", stream: "stderr", line: "main.c:3: warning: unused", time: t0),
    .stepFinished(scope: "build/compile", status: .succeeded, duration: 1.24, time: t0),
    .warning("deprecated key", scope: "pipeline", location: .init(file: "pipelines/web.yml", line: 3, column: 5), time: t0),
    .error("step failed", scope: "build/test", time: t0),
    .runFinished(.failed, duration: 75.4, message: "1 step failed", time: t0),
]

func render(_ events: [Event], with makeSink: (any TextOutput) -> any EventSink) -> String {
    let output = CapturedOutput()
    let sink = makeSink(output)
    for event in events { sink.emit(event) }
    return output.text
}
