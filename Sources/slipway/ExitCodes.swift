import ArgumentParser

/// Exit codes, documented in README.md and `slipway --help`; scripts rely on them.
enum Exit {
    static let invalidInput = ExitCode(1)
    static let buildFailed = ExitCode(2)
    static let stageFailed = ExitCode(3)
    static let packagingFailed = ExitCode(4)
    static let locked = ExitCode(5)
    static let interrupted = ExitCode(130)
}
