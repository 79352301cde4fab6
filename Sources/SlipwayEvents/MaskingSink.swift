/// Masks secrets in every event before passing it on. Put it in front of the renderers and
/// the journal once, and no output path can forget to mask.
public struct MaskingSink: EventSink {
    public let base: any EventSink
    public let masker: SecretMasker

    public init(_ base: any EventSink, masker: SecretMasker) {
        self.base = base
        self.masker = masker
    }

    /// Masks all free text: message, scope, field values and the location's file. Only the
    /// fixed vocabulary (kind, stream, status) and numbers are passed through untouched.
    public func emit(_ event: Event) {
        var masked = event
        masked.message = masker.mask(event.message)
        masked.scope = event.scope.map(masker.mask)
        masked.fields = event.fields.mapValues(masker.mask)
        masked.location?.file = masker.mask(event.location?.file ?? "")
        base.emit(masked)
    }
}
