// The C header in include/ is this module; this file gives SwiftPM a source to compile.
