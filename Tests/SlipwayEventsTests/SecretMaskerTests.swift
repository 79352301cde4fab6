import Foundation
import Testing
import SlipwayEvents

@Suite struct SecretMaskerTests {
    @Test func masksEveryOccurrence() {
        let masker = SecretMasker(secrets: ["hunter2"])
        #expect(masker.mask("pw=hunter2 again hunter2") == "pw=*** again ***")
    }

    @Test func secretContainedInAnotherIsFullyMasked() {
        let masker = SecretMasker()
        masker.add("pass")
        masker.add("password123")
        #expect(masker.mask("x password123 y pass z") == "x *** y *** z")
    }

    @Test func partiallyOverlappingSecretsAreMaskedAsOne() {
        let masker = SecretMasker(secrets: ["abcd", "cdef"])
        // Replacing one first would leave "ef" or "ab" of the other in clear.
        #expect(masker.mask("xxabcdefxx") == "xx***xx")
    }

    @Test func multiLineSecretRegistersEachLine() {
        let masker = SecretMasker()
        masker.add("-----BEGIN KEY-----\nAAAAsecretline\n\n-----END KEY-----\n")
        #expect(masker.mask("line: AAAAsecretline") == "line: ***")
        #expect(masker.mask("-----END KEY-----") == "***")
        #expect(masker.mask("whole: -----BEGIN KEY-----\nAAAAsecretline\n\n-----END KEY-----\n") == "whole: ***")
    }

    @Test func emptySecretIsIgnored() {
        let masker = SecretMasker(secrets: [""])
        #expect(masker.mask("nothing to hide") == "nothing to hide")
    }

    @Test func nonASCIISecretsAndTextSurvive() {
        let masker = SecretMasker(secrets: ["pässwörd"])
        #expect(masker.mask("é pässwörd ü") == "é *** ü")
    }

    @Test func concurrentAddAndMaskIsSafe() async {
        let masker = SecretMasker()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask { masker.add("secret-\(index)-value") }
                group.addTask { _ = masker.mask("text with secret-\(index)-value") }
            }
        }
        #expect(masker.mask("secret-0-value secret-49-value") == "*** ***")
    }

    @Test func maskingSinkMasksMessageScopeFieldsAndLocation() {
        let recorder = RecordingSink()
        let masker = SecretMasker(secrets: ["s3cr3t"])
        let sink = MaskingSink(recorder, masker: masker)
        sink.emit(Event(kind: .error, time: t0, scope: "host/s3cr3t", message: "token s3cr3t", stream: "stdout", status: .failed,
                        location: .init(file: "/tmp/s3cr3t/a.yml", line: 1), fields: ["header": "Bearer s3cr3t"]))
        sink.emit(.info("nothing secret", time: t0))
        #expect(recorder.events == [
            Event(kind: .error, time: t0, scope: "host/***", message: "token ***", stream: "stdout", status: .failed,
                  location: .init(file: "/tmp/***/a.yml", line: 1), fields: ["header": "Bearer ***"]),
            .info("nothing secret", time: t0),
        ])
    }

    @Test func maskingSinkCoversSecretsAddedLater() {
        let recorder = RecordingSink()
        let masker = SecretMasker()
        let sink = MaskingSink(recorder, masker: masker)
        masker.add("late-secret")
        sink.emit(.stepOutput(scope: "build/x", stream: "stdout", line: "got late-secret", time: t0))
        #expect(recorder.events.map(\.message) == ["got ***"])
    }
}
