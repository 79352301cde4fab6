// `JSONValue` lives in `SlipwayJSON`, one definition shared with the runner. Plugin authors write
// `import SlipwayPluginKit` only, so the kit re-exports the whole module. `@_exported` rather than
// `public typealias JSONValue = SlipwayJSON.JSONValue`: an alias forwards one name, so
// `JSONTextError` (what `JSONValue.parseJSON` throws) would need a second alias and every type
// added to SlipwayJSON another; the re-export keeps SlipwayJSON's API and the kit's the same.
// Each plugin library links its own copy of SlipwayJSON, which is safe: values cross the C ABI as
// JSON text, never as Swift values (docs/plugin-abi.md).
@_exported import SlipwayJSON
